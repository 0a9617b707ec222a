// Paginators: given a response and the items taken from it, what the next request is (or that there is none).
// The names and options are dlt's; `auto` looks at the first response and says what it chose.

import type { Logger } from '../../ingest/types';
import type { Request, Response } from './client';
import type { PaginatorConfig } from './config';
import { valueAt } from './selector';

export interface Paginator {
  /** Sets the first page's parameters on the first request. */
  init(request: Request): void;
  /** The request for the next page, or undefined when this was the last one. */
  next(request: Request, response: Response, items: unknown[]): Request | undefined;
}

export function createPaginator(config: PaginatorConfig | undefined, log: Logger): Paginator {
  const c = typeof config === 'string' ? { type: config } : config ?? { type: 'auto' as const };
  switch (c.type) {
    case 'single_page':
      return { init: () => undefined, next: () => undefined };
    case 'json_link':
      return new JsonLink('next_url_path' in c && c.next_url_path ? c.next_url_path : 'next');
    case 'header_link':
      return new HeaderLink('links_next_key' in c && c.links_next_key ? c.links_next_key : 'next');
    case 'offset':
      return new Offset(c as Extract<PaginatorConfig, { type: 'offset' }>);
    case 'page_number':
      return new PageNumber(c as Extract<PaginatorConfig, { type: 'page_number' }>);
    case 'cursor': {
      const cc = c as Extract<PaginatorConfig, { type: 'cursor' }>;
      return new Cursor(cc.cursor_path ?? 'cursors.next', cc.cursor_param ?? 'cursor');
    }
    case 'auto':
      return new Auto(log);
  }
}

function withUrl(request: Request, url: URL): Request {
  return { ...request, url };
}

function withParams(request: Request, params: Record<string, string | number>): Request {
  const url = new URL(request.url.href);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, String(v));
  return withUrl(request, url);
}

class JsonLink implements Paginator {
  constructor(private readonly path: string) {}
  init(): void {}
  next(request: Request, response: Response): Request | undefined {
    const next = valueAt(response.body, this.path);
    if (typeof next !== 'string' || next.trim() === '') return undefined;
    return withUrl({ ...request }, new URL(next, response.url));
  }
}

class HeaderLink implements Paginator {
  constructor(private readonly rel: string) {}
  init(): void {}
  next(request: Request, response: Response): Request | undefined {
    const next = parseLinkHeader(response.headers.get('link'))[this.rel];
    return next === undefined ? undefined : withUrl(request, new URL(next, response.url));
  }
}

/** RFC 8288 Link header: `<url>; rel="next", <url>; rel="last"` as { next: url, last: url }. */
export function parseLinkHeader(header: string | null): Record<string, string> {
  const links: Record<string, string> = {};
  if (!header) return links;
  for (const match of header.matchAll(/<([^>]*)>((?:\s*;\s*[^;,=]+(?:=(?:"[^"]*"|[^;,]*))?)*)/g)) {
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^;,\s]+))/i.exec(match[2]);
    if (!rel) continue;
    // rel may list several relation types: rel="next last".
    for (const name of (rel[1] ?? rel[2]).split(/\s+/)) if (name && !(name in links)) links[name.toLowerCase()] = match[1];
  }
  return links;
}

/** A number from the body at path; undefined when absent or not a number. */
function numberAt(body: unknown, path: string | null | undefined): number | undefined {
  if (!path) return undefined;
  const v = valueAt(body, path);
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

class Offset implements Paginator {
  private offset: number;
  constructor(private readonly c: Extract<PaginatorConfig, { type: 'offset' }>) {
    this.offset = c.offset ?? 0;
  }
  private params(): Record<string, number> {
    return { [this.c.offset_param ?? 'offset']: this.offset, [this.c.limit_param ?? 'limit']: this.c.limit };
  }
  init(request: Request): void {
    request.url = withParams(request, this.params()).url;
  }
  next(request: Request, response: Response, items: unknown[]): Request | undefined {
    const total = numberAt(response.body, this.c.total_path === undefined ? 'total' : this.c.total_path);
    this.offset += this.c.limit;
    if (items.length === 0) return undefined;
    // Without a total, a page shorter than the limit is the last one.
    if (total === undefined ? items.length < this.c.limit : this.offset >= total) return undefined;
    if (this.c.maximum_offset !== undefined && this.offset >= this.c.maximum_offset) return undefined;
    return withParams(request, this.params());
  }
}

class PageNumber implements Paginator {
  private readonly base: number;
  private page: number;
  constructor(private readonly c: Extract<PaginatorConfig, { type: 'page_number' }>) {
    this.base = c.base_page ?? 0;
    this.page = c.page ?? this.base;
  }
  init(request: Request): void {
    request.url = withParams(request, { [this.c.page_param ?? 'page']: this.page }).url;
  }
  next(request: Request, response: Response, items: unknown[]): Request | undefined {
    // total_path gives the number of pages (as in dlt).
    const pages = numberAt(response.body, this.c.total_path === undefined ? 'total' : this.c.total_path);
    this.page++;
    if (items.length === 0) return undefined;
    if (pages !== undefined && this.page - this.base >= pages) return undefined;
    if (this.c.maximum_page !== undefined && this.page > this.c.maximum_page) return undefined;
    return withParams(request, { [this.c.page_param ?? 'page']: this.page });
  }
}

class Cursor implements Paginator {
  constructor(
    private readonly path: string,
    private readonly param: string,
  ) {}
  init(): void {}
  next(request: Request, response: Response): Request | undefined {
    const cursor = valueAt(response.body, this.path);
    if (cursor === undefined || cursor === null || cursor === '' || cursor === false) return undefined;
    return withParams(request, { [this.param]: String(cursor) });
  }
}

/** Where APIs commonly put a next-page URL. */
const NEXT_URL_PATHS = ['next', 'next_url', 'next_page_url', 'links.next', 'links.next.href', '_links.next.href', 'pagination.next', 'paging.next', 'meta.next'];
/** Where APIs commonly put a next-page cursor, with the parameter that sends it back. */
const CURSOR_PATHS: [string, string][] = [
  ['next_cursor', 'cursor'],
  ['meta.next_cursor', 'cursor'],
  ['pagination.next_cursor', 'cursor'],
  ['response_metadata.next_cursor', 'cursor'],
  ['cursors.next', 'cursor'],
  ['next_page_token', 'page_token'],
  ['nextPageToken', 'pageToken'],
];

/** Chooses a paginator from the first response and logs the choice; later pages use that one. */
class Auto implements Paginator {
  private chosen?: Paginator;
  constructor(private readonly log: Logger) {}
  init(): void {}
  next(request: Request, response: Response, items: unknown[]): Request | undefined {
    if (!this.chosen) {
      const [paginator, description] = detect(response);
      this.chosen = paginator;
      this.log.info(`no paginator configured; detected ${description}`);
    }
    return this.chosen.next(request, response, items);
  }
}

function detect(response: Response): [Paginator, string] {
  if (parseLinkHeader(response.headers.get('link')).next !== undefined) return [new HeaderLink('next'), 'header_link (Link: rel="next")'];
  const body = response.body;
  if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
    for (const path of NEXT_URL_PATHS) {
      const v = valueAt(body, jsonPath(path));
      if (typeof v === 'string' && /^(https?:\/\/|\/|\?)/.test(v)) return [new JsonLink(jsonPath(path)), `json_link (next_url_path: ${path})`];
    }
    for (const [path, param] of CURSOR_PATHS) {
      const v = valueAt(body, jsonPath(path));
      if ((typeof v === 'string' && v !== '') || typeof v === 'number') {
        return [new Cursor(jsonPath(path), param), `cursor (cursor_path: ${path}, cursor_param: ${param})`];
      }
    }
  }
  return [{ init: () => undefined, next: () => undefined }, 'single_page (no next link, Link header or cursor in the first response)'];
}

function jsonPath(path: string): string {
  return `$.${path}`;
}
