/** Why a request to CBR, HSS or IAM finally failed, in words fit for one log line. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    message: string,
    readonly details: {
      status?: number;
      errorCode?: string;
      errorMsg?: string;
      requestId?: string;
      /** HTTP status, or `error` / `timeout` / `invalid_body`: the metric's `code` label. */
      code: string;
    },
  ) {
    super(message);
  }
}

export interface ErrorBody {
  errorCode?: string;
  errorMsg?: string;
  requestId?: string;
}

/** Huawei APIs answer errors as `{error_code, error_msg, request_id}`; IAM as `{error: {code, message, title}}`. */
export function readErrorBody(text: string): ErrorBody {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return {};
  }
  if (typeof body !== 'object' || body === null) return {};
  const record = body as Record<string, unknown>;
  if (typeof record.error_code === 'string' || typeof record.error_msg === 'string') {
    return { errorCode: asText(record.error_code), errorMsg: asText(record.error_msg), requestId: asText(record.request_id) };
  }
  const nested = record.error;
  if (typeof nested === 'object' && nested !== null) {
    const err = nested as Record<string, unknown>;
    return { errorCode: asText(err.code ?? err.title), errorMsg: asText(err.message) };
  }
  return {};
}

/**
 * Upstream text as it came: it is cut to size only after its secrets are scrubbed (clipUpstream), or a
 * secret cut in half would no longer be recognised.
 */
function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

/** Upstream text of at most `max` characters, for one log line; call it on scrubbed text only. */
export function clipUpstream(text: string | undefined, max = 1000): string | undefined {
  return text === undefined || text.length <= max ? text : `${text.slice(0, max)}…`;
}
