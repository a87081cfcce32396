import type { IncomingHttpHeaders } from 'node:http';
import { ApiError, clipUpstream, readErrorBody } from './api-error.js';
import type { OutgoingRequest } from './request.js';
import { scrubSecrets } from './scrub.js';

/** What one HTTP exchange returned; read inside the host slot, interpreted after it is released. */
export type Exchange = { request: OutgoingRequest; secrets: string[]; ms: number } & (
  | { kind: 'response'; status: number; text: string; headers: IncomingHttpHeaders }
  | { kind: 'failed'; code: 'error' | 'timeout'; detail: string; cause: unknown }
  | { kind: 'too_large'; status: number; limit: number; announced?: number }
);

/** What to do about one attempt; `code` is what it is counted as. */
export type Attempt<T> = { code: string } & (
  | { kind: 'ok'; value: T }
  | { kind: 'retry'; error: ApiError }
  | { kind: 'throttled'; error: ApiError }
  | { kind: 'unauthorized'; error: ApiError }
  | { kind: 'refused'; error: ApiError }
  | { kind: 'fail'; error: ApiError }
);

/**
 * Authentication failures that do not come as 401 (CBR's error table): retrying them is what gets a key
 * locked, so they are refusals like a 401.
 */
const AUTH_FAILURES: Readonly<Record<string, number>> = { 'BackupService.9998': 500, 'BackupService.8600': 403 };
/** AK/SK signatures more than this far from the gateway's clock are refused. */
export const MAX_CLOCK_SKEW_MS = 15 * 60_000;

/** Certificate problems: retrying cannot help, the operator must fix trust (tls.ca_file) or the host name. */
const CERTIFICATE_ERRORS = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'CERT_UNTRUSTED', 'CERT_REJECTED', 'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID', 'HOSTNAME_MISMATCH', 'INVALID_CA', 'CERT_CHAIN_TOO_LONG',
]);

export function isCertificateError(err: unknown): boolean {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && CERTIFICATE_ERRORS.has(e.code)) return true;
  }
  return false;
}

function describe(url: URL, status: number | string, requestId?: string, errorCode?: string, errorMsg?: string): string {
  const parts = [`GET ${url.pathname}: ${typeof status === 'number' ? `HTTP ${status}` : status}`];
  if (errorCode) parts.push(errorCode);
  if (errorMsg) parts.push(errorMsg.replace(/\s+/g, ' '));
  if (requestId) parts.push(`request id ${requestId}`);
  return parts.join(', ');
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** A refused AK/SK signature with the gateway's Date far from ours: the clock, not the key, is wrong. */
function clockSkewHint(request: OutgoingRequest, headers: IncomingHttpHeaders, nowMs: number): string | undefined {
  const signed = Object.entries(request.headers).some(([name, value]) => name.toLowerCase() === 'authorization' && value.startsWith('SDK-HMAC'));
  const date = Date.parse(header(headers, 'date') ?? '');
  if (!signed || Number.isNaN(date) || Math.abs(nowMs - date) <= MAX_CLOCK_SKEW_MS) return undefined;
  const minutes = Math.round((nowMs - date) / 60_000);
  return `the local clock is ${Math.abs(minutes)} minutes ${minutes > 0 ? 'ahead of' : 'behind'} the gateway's (Date: ${header(headers, 'date')}); AK/SK signatures more than 15 minutes off are refused: set the clock right (NTP)`;
}

/** Classifies an exchange; never throws. Upstream text is scrubbed of secrets before it goes into a message. */
export function interpret<T>(url: URL, result: Exchange, read: (body: unknown) => T, nowMs: number): Attempt<T> {
  const scrub = (text: string | undefined) => (text === undefined ? undefined : clipUpstream(scrubSecrets(text, result.secrets)));
  if (result.kind === 'failed') {
    const detail = scrub(result.detail) as string;
    if (isCertificateError(result.cause)) {
      const error = new ApiError(describe(url, `${result.code} (${detail}); not retried: trust the server's CA with tls.ca_file, or fix the endpoint's host name`), { code: result.code });
      return { code: result.code, kind: 'fail', error };
    }
    return { code: result.code, kind: 'retry', error: new ApiError(describe(url, `${result.code} (${detail})`), { code: result.code }) };
  }
  if (result.kind === 'too_large') {
    const size = result.announced === undefined ? `more than ${result.limit} bytes` : `${result.announced} bytes`;
    const error = new ApiError(describe(url, `HTTP ${result.status}, body of ${size} refused (refresh.body_size_limit is ${result.limit} bytes)`), { code: 'invalid_body', status: result.status });
    return { code: 'invalid_body', kind: 'fail', error };
  }
  const { status, text, headers } = result;
  const headerRequestId = header(headers, 'x-request-id');
  if (status === 200) {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      const error = new ApiError(describe(url, `body is not JSON (${text.length} bytes)`, headerRequestId), { code: 'invalid_body', status, requestId: headerRequestId });
      return { code: 'invalid_body', kind: 'retry', error };
    }
    try {
      return { code: '200', kind: 'ok', value: read(body) };
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      const error = new ApiError(`${err.message}${headerRequestId ? `, request id ${headerRequestId}` : ''}`, { ...err.details, status, requestId: headerRequestId });
      return { code: 'invalid_body', kind: 'retry', error };
    }
  }
  const body = readErrorBody(text);
  // IAM's {"error":{"code":503,...}} repeats the status as its code: say it once.
  const errorCode = body.errorCode === String(status) ? undefined : scrub(body.errorCode);
  const errorMsg = scrub(body.errorMsg);
  const requestId = headerRequestId ?? body.requestId;
  let message = describe(url, status, requestId, errorCode, errorMsg);
  const code = String(status);
  if (status === 401 || status === 403) {
    const hint = clockSkewHint(result.request, headers, nowMs);
    if (hint) message += `; ${hint}`;
  }
  const error = new ApiError(message, { code, status, errorCode, errorMsg, requestId });
  if (errorCode !== undefined && AUTH_FAILURES[errorCode] === status) return { code, kind: 'refused', error };
  if (status === 401) return { code, kind: 'unauthorized', error };
  if (status === 429) return { code, kind: 'throttled', error };
  if (status >= 500) return { code, kind: 'retry', error };
  return { code, kind: 'fail', error };
}
