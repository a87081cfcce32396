import type { Dispatcher } from 'undici';
import { request } from './undici-parts.js';
import type { Logger } from 'pino';
import { ApiError } from './api-error.js';
import { startDeadline } from './deadline.js';
import type { HostLimiter } from './host-limiter.js';
import { interpret, type Exchange } from './interpret.js';
import { BodyTooLarge, readBoundedText } from './read-body.js';
import type { CountAttempt, Credentials, OutgoingRequest } from './request.js';
import { backoffMs, retryAfterMs, sleep } from './retry.js';
import { secretsOfHeaders } from './scrub.js';
import { throttleWaitMs } from './throttle.js';

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
  /** Epoch ms when the refresh's time is up: a throttling wait that would end later is not begun. */
  deadlineAt?: number;
  /** Largest response body accepted, bytes (refresh.body_size_limit). */
  bodySizeLimit?: number;
  /** Backoff base and cap; small in tests. */
  backoff?: { baseMs: number; capMs: number };
  now?: () => number;
  /** What each listing of this pair held when last read, by its first page's URL: the next reading plans that many pages from the start. */
  listingSizes?: Map<string, number>;
}

const DEFAULT_BACKOFF = { baseMs: 500, capMs: 15_000 };
export const DEFAULT_BODY_SIZE_LIMIT = 32 * 2 ** 20;

/** The secrets an upstream message might quote back: what this request carried and what the credentials hold. */
function secretsFor(outgoing: OutgoingRequest, ctx: ApiContext): string[] {
  return [...secretsOfHeaders(outgoing.headers), ...(ctx.credentials.secrets?.() ?? [])];
}

/** One attempt on the wire: only sending and receiving hold the host slot, not parsing. */
async function exchange(url: URL, ctx: ApiContext): Promise<Exchange> {
  const now = ctx.now ?? Date.now;
  const outgoing: OutgoingRequest = { method: 'GET', url, headers: { accept: 'application/json' } };
  await ctx.credentials.authorize(outgoing);
  const started = now();
  const deadline = startDeadline(ctx.requestTimeoutMs, ctx.signal);
  const common = () => ({ request: outgoing, secrets: secretsFor(outgoing, ctx), ms: now() - started });
  let status: number | undefined;
  try {
    const response = await request(url, { method: 'GET', headers: outgoing.headers, dispatcher: ctx.dispatcher, signal: deadline.signal });
    status = response.statusCode;
    const text = await readBoundedText(response, ctx.bodySizeLimit ?? DEFAULT_BODY_SIZE_LIMIT);
    return { ...common(), kind: 'response', status, text, headers: response.headers };
  } catch (err) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    if (err instanceof BodyTooLarge) return { ...common(), kind: 'too_large', status: status ?? 0, limit: err.limit, announced: err.announced };
    const timedOut = deadline.expired || (err as { code?: string }).code === 'UND_ERR_HEADERS_TIMEOUT';
    return timedOut
      ? { ...common(), kind: 'failed', code: 'timeout', detail: `no answer within ${ctx.requestTimeoutMs} ms`, cause: err }
      : { ...common(), kind: 'failed', code: 'error', detail: (err as Error).message, cause: err };
  } finally {
    deadline.clear();
  }
}

/**
 * GETs `url` and returns its JSON body as `read` accepts it (`read` throws an ApiError of code
 * invalid_body for valid JSON in the wrong shape). Retries 5xx, network errors, timeouts and bad bodies
 * with capped exponential backoff, up to max_retries; waits out 429s (Retry-After, else the APIG
 * window, else 2–5 s) as long as the refresh deadline allows, pausing the host meanwhile; renews
 * credentials once on 401. Never retries other 4xx, authentication failures in any disguise,
 * untrusted certificates or oversized bodies. Every attempt is counted and, at debug level, logged.
 */
export async function getJson<T = unknown>(url: URL, ctx: ApiContext, read: (body: unknown) => T = (body) => body as T): Promise<T> {
  const { baseMs, capMs } = ctx.backoff ?? DEFAULT_BACKOFF;
  const now = ctx.now ?? Date.now;
  let renewed = false;
  let retries = 0;
  let throttles = 0;
  for (let attempt = 1; ; attempt++) {
    ctx.signal.throwIfAborted();
    let throttleWait = 0;
    const exchanged = await ctx.limiter.run(
      url.host,
      async () => {
        const result = await exchange(url, ctx);
        if (result.kind === 'response' && result.status === 429) {
          // Paused before the slot is released, so that no request queued behind this one goes out into the limit.
          throttleWait = throttleWaitMs(retryAfterMs(headerText(result.headers['retry-after'])), result.text, throttles);
          ctx.limiter.pause(url.host, now() + throttleWait);
        }
        return result;
      },
      ctx.signal,
    );
    const result = interpret(url, exchanged, read, now());
    ctx.countAttempt(result.code);
    if (ctx.log.isLevelEnabled('debug')) {
      ctx.log.debug({ method: 'GET', path: `${url.pathname}${url.search}`, status: result.code, duration_ms: exchanged.ms, attempt }, 'api request');
    }
    switch (result.kind) {
      case 'ok':
        ctx.credentials.accepted?.();
        return result.value;
      case 'fail':
        throw result.error;
      case 'refused':
        ctx.credentials.refused?.(result.error, exchanged.request);
        throw result.error;
      case 'unauthorized':
        if (renewed || !ctx.credentials.renew(exchanged.request)) {
          ctx.credentials.refused?.(result.error, exchanged.request);
          throw result.error;
        }
        renewed = true;
        ctx.log.warn({ err_msg: result.error.message }, 'credentials rejected; renewing them and retrying once');
        continue;
      case 'throttled': {
        const deadlineAt = ctx.deadlineAt ?? Number.POSITIVE_INFINITY;
        if (now() + throttleWait >= deadlineAt) {
          throw new ApiError(`${result.error.message}; not waiting ${throttleWait} ms for the next window: it would pass refresh.timeout`, result.error.details);
        }
        throttles++;
        ctx.log.info({ url: url.pathname, attempt, wait_ms: throttleWait, reason: result.error.message }, 'throttled; waiting for the next window');
        continue; // the limiter holds this host until the wait is over
      }
      case 'retry': {
        if (retries >= ctx.maxRetries) throw result.error;
        const waitMs = backoffMs(retries, baseMs, capMs);
        retries++;
        ctx.log.info({ url: url.pathname, attempt, wait_ms: waitMs, reason: result.error.message }, 'retrying request');
        await sleep(waitMs, ctx.signal);
      }
    }
  }
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
