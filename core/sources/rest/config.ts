// The declarative REST API source's config: the keys of dlt's rest_api (snake_case), so a dlt config can be
// pasted as it is, plus Sluice's own client settings (timeout, retries, requests_per_second).

import type { Item } from '../../ingest/types';
import type { MergeStrategy, WriteDisposition } from '../../schema/types';

export type AuthConfig =
  | { type: 'bearer'; token: string }
  | { type: 'api_key'; name?: string; api_key: string; location?: 'header' | 'query' }
  | { type: 'http_basic'; username: string; password: string }
  | {
      type: 'oauth2_client_credentials';
      access_token_url: string;
      client_id: string;
      client_secret: string;
      /** Extra form fields sent with the token request (scope, audience). */
      access_token_request_data?: Record<string, string>;
      /** Seconds a token lives when the token response has no expires_in. Default 3600. */
      default_token_expiration?: number;
    };

export type PaginatorType = 'json_link' | 'header_link' | 'offset' | 'page_number' | 'cursor' | 'single_page' | 'auto';

export type PaginatorConfig =
  | PaginatorType
  | { type: 'json_link'; next_url_path?: string }
  | { type: 'header_link'; links_next_key?: string }
  | {
      type: 'offset';
      limit: number;
      offset?: number;
      offset_param?: string;
      limit_param?: string;
      total_path?: string | null;
      maximum_offset?: number;
    }
  | { type: 'page_number'; base_page?: number; page?: number; page_param?: string; total_path?: string | null; maximum_page?: number }
  | { type: 'cursor'; cursor_path?: string; cursor_param?: string }
  | { type: 'single_page' }
  | { type: 'auto' };

/** dlt's older form of a dependent parameter: the value of `field` in each item of `resource`. */
export interface ResolveParam {
  type: 'resolve';
  resource: string;
  field: string;
}

/** dlt's incremental parameter: the param is sent with the resource's cursor start value. */
export interface IncrementalParam {
  type: 'incremental';
  cursor_path: string;
  initial_value?: unknown;
  end_value?: unknown;
}

/** dlt's endpoint-level incremental: start_param (and end_param) carry the cursor range. */
export interface IncrementalConfig {
  cursor_path: string;
  start_param?: string;
  end_param?: string;
  initial_value?: unknown;
  end_value?: unknown;
  last_value_func?: 'max' | 'min';
}

export type ParamValue = string | number | boolean | ResolveParam | IncrementalParam;

/** What a response action may inspect; a function action is a response hook. */
export interface ResponseInfo {
  url: string;
  status: number;
  headers: Headers;
  body: unknown;
}

export type ResponseAction =
  | { status_code?: number; content?: string; action: 'ignore' }
  | ((response: ResponseInfo) => void | Promise<void>);

export interface EndpointConfig {
  path?: string;
  method?: 'GET' | 'POST';
  params?: Record<string, ParamValue>;
  /** JSON body (for POST endpoints). */
  json?: Record<string, unknown>;
  paginator?: PaginatorConfig;
  /** JSONPath to the list of items in a response; found by looking when absent. */
  data_selector?: string;
  response_actions?: ResponseAction[];
  incremental?: IncrementalConfig;
}

export type ProcessingStep = { filter: (item: Item) => boolean } | { map: (item: Item) => Item };

export interface ResourceConfig {
  name: string;
  endpoint?: string | EndpointConfig;
  primary_key?: string | string[];
  merge_key?: string | string[];
  write_disposition?: WriteDisposition | { disposition: WriteDisposition; strategy?: MergeStrategy };
  table_name?: string;
  max_table_nesting?: number;
  selected?: boolean;
  /** Parent fields copied into each item as _<parent>_<field>. */
  include_from_parent?: string[];
  processing_steps?: ProcessingStep[];
  schema_contract?: import('../../ingest/types').Contract;
}

export type ResourceDefaults = Omit<Partial<ResourceConfig>, 'name' | 'endpoint'> & { endpoint?: Partial<EndpointConfig> };

export interface ClientConfig {
  base_url: string;
  headers?: Record<string, string>;
  auth?: AuthConfig;
  paginator?: PaginatorConfig;
  /** Seconds before a request is abandoned (and retried). Default 60. */
  timeout?: number;
  /** Retries after a 429, a 5xx, a timeout or a network error. Default 5. */
  max_retries?: number;
  /** First backoff in seconds, doubled at each retry (Retry-After wins when the server sends it). Default 1. */
  backoff_seconds?: number;
  /** At most this many requests per second across the source's resources. */
  requests_per_second?: number;
}

export interface RestApiConfig {
  name: string;
  client: ClientConfig;
  resource_defaults?: ResourceDefaults;
  resources: (string | ResourceConfig)[];
}
