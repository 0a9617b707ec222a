// One HTTP POST of a JSON body, made so that it can never hold up or fail the command that sent it: every
// attempt has a timeout, failures that may pass (network, timeout, 429, 5xx) are retried a bounded number of
// times with backoff, and the outcome is returned, never thrown.

export const DEFAULT_TIMEOUT_MS = 5000;
export const ATTEMPTS = 3;
/** Waits before the 2nd and 3rd attempt. */
const BACKOFF_MS = [250, 1000];

export interface Delivery {
  ok: boolean;
  attempts: number;
  /** The last HTTP status, when there was an answer. */
  status?: number;
  /** Why it failed (no URL in it: a webhook URL is itself a secret). */
  error?: string;
  durationMs: number;
}

export async function postJson(url: string, body: unknown, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Delivery> {
  const started = performance.now();
  if (!isHttpUrl(url)) return { ok: false, attempts: 0, error: 'the url is not an http(s) URL', durationMs: 0 };
  let last: Omit<Delivery, 'durationMs' | 'attempts'> = { ok: false, error: 'not sent' };
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    if (attempt > 1) await sleep(BACKOFF_MS[attempt - 2] ?? BACKOFF_MS[BACKOFF_MS.length - 1]);
    last = await attemptPost(url, body, timeoutMs);
    const retry = !last.ok && (last.status === undefined || last.status === 429 || last.status >= 500);
    if (!retry) return { ...last, attempts: attempt, durationMs: Math.round(performance.now() - started) };
  }
  return { ...last, attempts: ATTEMPTS, durationMs: Math.round(performance.now() - started) };
}

async function attemptPost(url: string, body: unknown, timeoutMs: number): Promise<Omit<Delivery, 'durationMs' | 'attempts'>> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'sluice' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    // The answer's body is read (and dropped) so the connection is released.
    const text = await response.text().catch(() => '');
    if (response.ok) return { ok: true, status: response.status };
    return { ok: false, status: response.status, error: `HTTP ${response.status}${text ? `: ${firstLine(text).slice(0, 200)}` : ''}` };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return { ok: false, error: `no answer within ${timeoutMs / 1000} s` };
    return { ok: false, error: e.cause?.code ?? e.cause?.message ?? e.message };
  }
}

function isHttpUrl(url: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(url).protocol);
  } catch {
    return false;
  }
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
