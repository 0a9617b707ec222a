// Sends the REST source's requests: authentication, a timeout per request, retries with exponential
// backoff on 429, 5xx, timeouts and network errors (Retry-After honoured), a per-source rate limit, and a
// debug line per request (shown with --verbose). Secrets are masked in every line and error.

import { setTimeout as sleep } from 'node:timers/promises';
import { SluiceError } from '../../errors';
import type { Logger } from '../../ingest/types';
import type { Authenticator } from './auth';
import type { ResponseAction } from './config';
import type { Masker } from './secrets';

export interface Request {
  method: 'GET' | 'POST';
  url: URL;
  json?: unknown;
}

export interface Response {
  url: string;
  status: number;
  headers: Headers;
  body: unknown;
}

export interface ClientOptions {
  headers: Record<string, string>;
  auth: Authenticator;
  timeoutMs: number;
  maxRetries: number;
  backoffMs: number;
  limiter: RateLimiter;
  masker: Masker;
}

/** Longest wait a Retry-After header may impose before the load gives up instead. */
const MAX_RETRY_AFTER_MS = 300_000;
const MAX_BACKOFF_MS = 60_000;
const BODY_EXCERPT = 500;

export class RestClient {
  constructor(private readonly options: ClientOptions) {}

  /** The parsed response; undefined when a response action says to ignore it. Throws a SluiceError otherwise. */
  async send(request: Request, actions: ResponseAction[], log: Logger, signal: AbortSignal): Promise<Response | undefined> {
    const { masker, maxRetries } = this.options;
    for (let attempt = 0; ; attempt++) {
      await this.options.limiter.wait(signal);
      const url = new URL(request.url.href);
      const headers = new Headers(this.options.headers);
      if (request.json !== undefined) headers.set('Content-Type', 'application/json');
      if (!headers.has('Accept')) headers.set('Accept', 'application/json');
      await this.options.auth.apply(url, headers, signal);
      // The URL as sent (an API key in the query included), masked.
      const shown = () => `${request.method} ${masker.mask(url.href)}`;
      const started = Date.now();
      let status: number;
      let text: string;
      let responseHeaders: Headers;
      const timeout = requestTimeout(this.options.timeoutMs);
      try {
        const response = await fetch(url, {
          method: request.method,
          headers,
          body: request.json === undefined ? undefined : JSON.stringify(request.json),
          signal: AbortSignal.any([signal, timeout.signal]),
          redirect: 'follow',
        });
        text = await response.text();
        status = response.status;
        responseHeaders = response.headers;
      } catch (err) {
        if (signal.aborted) throw err;
        const reason = isTimeout(err) ? `no response within ${this.options.timeoutMs / 1000}s` : networkReason(err);
        log.debug(masker.mask(`${shown()} → ${reason}`));
        if (attempt >= maxRetries) throw new SluiceError(masker.mask(`${shown()} failed after ${attempt + 1} attempts: ${reason}`));
        await this.backoff(attempt, undefined, `${reason}`, log, signal);
        continue;
      } finally {
        timeout.clear();
      }
      log.debug(masker.mask(`${shown()} → ${status} (${Date.now() - started} ms)`));
      if (status === 429 || status >= 500) {
        if (attempt >= maxRetries) {
          throw new SluiceError(masker.mask(`${shown()} returned ${status} after ${attempt + 1} attempts: ${excerpt(text)}`));
        }
        await this.backoff(attempt, retryAfterMs(responseHeaders.get('retry-after')), `status ${status}`, log, signal);
        continue;
      }
      const body = parseBody(text);
      if (ignored(actions, status, text)) {
        log.debug(`${shown()}: response ${status} ignored (response_actions)`);
        return undefined;
      }
      if (status >= 400) throw new SluiceError(masker.mask(`${shown()} returned ${status}: ${excerpt(text)}`));
      if (body === NOT_JSON) {
        throw new SluiceError(masker.mask(`${shown()} returned ${status} with a body that is not JSON: ${excerpt(text)}`));
      }
      return { url: url.href, status, headers: responseHeaders, body };
    }
  }

  private async backoff(attempt: number, retryAfter: number | undefined, why: string, log: Logger, signal: AbortSignal): Promise<void> {
    const exponential = Math.min(this.options.backoffMs * 2 ** attempt, MAX_BACKOFF_MS);
    const wait = retryAfter !== undefined ? Math.min(retryAfter, MAX_RETRY_AFTER_MS) : exponential;
    log.info(`${why}; retry ${attempt + 1} of ${this.options.maxRetries} in ${(wait / 1000).toFixed(1)}s`);
    await sleep(wait, undefined, { signal });
  }
}

/** Spaces request starts at least 1/requests_per_second apart, across all resources of a source. */
export class RateLimiter {
  private next = 0;
  constructor(private readonly requestsPerSecond: number | undefined) {}

  async wait(signal: AbortSignal): Promise<void> {
    if (!this.requestsPerSecond) return;
    const now = Date.now();
    const at = Math.max(now, this.next);
    this.next = at + 1000 / this.requestsPerSecond;
    if (at > now) await sleep(at - now, undefined, { signal });
  }
}

const NOT_JSON = Symbol('not JSON');

function parseBody(text: string): unknown {
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}

function ignored(actions: ResponseAction[], status: number, text: string): boolean {
  return actions.some(
    (a) =>
      typeof a !== 'function' &&
      (a.status_code === undefined || a.status_code === status) &&
      (a.content === undefined || text.includes(a.content)) &&
      (a.status_code !== undefined || a.content !== undefined),
  );
}

function excerpt(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  if (oneLine === '') return '(empty body)';
  return oneLine.length > BODY_EXCERPT ? `${oneLine.slice(0, BODY_EXCERPT)}…` : oneLine;
}

/** Retry-After as delay seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * A signal that aborts with a TimeoutError after ms. Not AbortSignal.timeout(): inside AbortSignal.any()
 * Node may garbage-collect that signal before it fires (nodejs/node#57736), and the request then waits for
 * as long as the server keeps it open. A timer holding its controller cannot be collected.
 */
function requestTimeout(ms: number): { signal: AbortSignal; clear: () => void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException(`no response within ${ms} ms`, 'TimeoutError')), ms);
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}

function isTimeout(err: unknown): boolean {
  return (err as Error)?.name === 'TimeoutError';
}

function networkReason(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (err as Error)?.message ?? String(err);
}
