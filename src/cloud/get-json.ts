import { request, type Dispatcher } from 'undici';
import type { Logger } from 'pino';
import { ApiError, readErrorBody } from './api-error.js';
import { startDeadline } from './deadline.js';
import type { HostLimiter } from './host-limiter.js';
import type { CountAttempt, Credentials, OutgoingRequest } from './request.js';
import { backoffMs, retryAfterMs, sleep } from './retry.js';

/** What one API client needs to make requests: shared by every page of a (target, source) pair. */
export interface ApiContext {
  dispatcher: Dispatcher;
  credentials: Credentials;
  limiter: HostLimiter;
  countAttempt: CountAttempt;
  log: Logger;
  requestTimeoutMs: number;
  maxRetries: number;
  /** Aborts when the refresh passes its deadline or the daemon shuts down. */
  signal: AbortSignal;
  /** Backoff base and cap; small in tests. */
  backoff?: { baseMs: number; capMs: number };
}

type Attempt =
  | { kind: 'ok'; body: unknown }
  | { kind: 'retry'; error: ApiError; waitMs?: number }
  | { kind: 'unauthorized'; error: ApiError; request: OutgoingRequest }
  | { kind: 'fail'; error: ApiError };

const DEFAULT_BACKOFF = { baseMs: 500, capMs: 15_000 };
/** A server asking for a longer pause than this is treated as an outage of this refresh. */
const MAX_RETRY_AFTER_MS = 60_000;

function describe(url: URL, status: number | string, requestId?: string, errorCode?: string, errorMsg?: string): string {
  const api = `GET ${url.pathname}`;
  const parts = [`${api}: ${typeof status === 'number' ? `HTTP ${status}` : status}`];
  if (errorCode) parts.push(errorCode);
  if (errorMsg) parts.push(errorMsg.replace(/\s+/g, ' '));
  if (requestId) parts.push(`request id ${requestId}`);
  return parts.join(', ');
}

/** What one HTTP exchange returned; read inside the host slot, interpreted after it is released. */
type Exchange = { request: OutgoingRequest } & (
  | { kind: 'response'; status: number; text: string; requestId?: string; retryAfter?: string }
  | { kind: 'failed'; code: 'error' | 'timeout'; detail: string }
);

/** One attempt on the wire: only sending and receiving hold the host slot, not parsing. */
async function exchange(url: URL, ctx: ApiContext): Promise<Exchange> {
  const outgoing: OutgoingRequest = { method: 'GET', url, headers: { accept: 'application/json' } };
  await ctx.credentials.authorize(outgoing);
  const deadline = startDeadline(ctx.requestTimeoutMs, ctx.signal);
  try {
    const response = await request(url, { method: 'GET', headers: outgoing.headers, dispatcher: ctx.dispatcher, signal: deadline.signal });
    const text = await response.body.text();
    return {
      request: outgoing,
      kind: 'response',
      status: response.statusCode,
      text,
      requestId: headerText(response.headers['x-request-id']),
      retryAfter: headerText(response.headers['retry-after']),
    };
  } catch (err) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const timedOut = deadline.expired || (err as { code?: string }).code === 'UND_ERR_HEADERS_TIMEOUT';
    return timedOut
      ? { request: outgoing, kind: 'failed', code: 'timeout', detail: `no answer within ${ctx.requestTimeoutMs} ms` }
      : { request: outgoing, kind: 'failed', code: 'error', detail: (err as Error).message };
  } finally {
    deadline.clear();
  }
}

/** Classifies an exchange and counts it as one attempt. */
function interpret(url: URL, result: Exchange, ctx: ApiContext): Attempt {
  if (result.kind === 'failed') {
    ctx.countAttempt(result.code);
    return { kind: 'retry', error: new ApiError(describe(url, `${result.code} (${result.detail})`), { code: result.code }) };
  }
  const { status, text, requestId } = result;
  if (status === 200) {
    try {
      const body: unknown = JSON.parse(text);
      ctx.countAttempt('200');
      return { kind: 'ok', body };
    } catch {
      ctx.countAttempt('invalid_body');
      const error = new ApiError(describe(url, `body is not JSON (${text.length} bytes)`, requestId), { code: 'invalid_body', status, requestId });
      return { kind: 'retry', error };
    }
  }
  ctx.countAttempt(String(status));
  const { errorCode, errorMsg } = readErrorBody(text);
  const error = new ApiError(describe(url, status, requestId, errorCode, errorMsg), { code: String(status), status, errorCode, errorMsg, requestId });
  if (status === 401) return { kind: 'unauthorized', error, request: result.request };
  if (status === 429 || status >= 500) return { kind: 'retry', error, waitMs: retryAfterMs(result.retryAfter) };
  return { kind: 'fail', error };
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * GETs `url` and returns its JSON body. Retries 429 (honouring Retry-After), 5xx, network errors,
 * timeouts and non-JSON bodies with capped exponential backoff; renews credentials once on 401;
 * never retries 403 or other 4xx (Huawei locks keys after repeated authentication failures).
 * Every attempt is counted through ctx.countAttempt and failures are logged with their request id.
 */
export async function getJson(url: URL, ctx: ApiContext): Promise<unknown> {
  const { baseMs, capMs } = ctx.backoff ?? DEFAULT_BACKOFF;
  let renewed = false;
  for (let retry = 0; ; retry++) {
    ctx.signal.throwIfAborted();
    const result = interpret(url, await ctx.limiter.run(url.host, () => exchange(url, ctx)), ctx);
    if (result.kind === 'ok') {
      ctx.credentials.accepted?.();
      return result.body;
    }
    if (result.kind === 'fail') throw result.error;
    if (result.kind === 'unauthorized') {
      if (renewed || !ctx.credentials.renew(result.request)) {
        ctx.credentials.refused?.(result.error, result.request);
        throw result.error;
      }
      renewed = true;
      ctx.log.warn({ err_msg: result.error.message }, 'credentials rejected; renewing them and retrying once');
      continue;
    }
    if (retry >= ctx.maxRetries) throw result.error;
    if (result.waitMs !== undefined && result.waitMs > MAX_RETRY_AFTER_MS) throw result.error;
    const waitMs = result.waitMs ?? backoffMs(retry, baseMs, capMs);
    ctx.log.info({ url: url.pathname, attempt: retry + 1, wait_ms: waitMs, reason: result.error.message }, 'retrying request');
    await sleep(waitMs, ctx.signal);
  }
}
