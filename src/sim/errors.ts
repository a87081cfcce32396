/**
 * The error responses of the simulated cloud, with the codes of Huawei's error tables. Huawei Cloud answers
 * errors with `{error_code, error_msg, request_id}`: APIG.* codes come from the API gateway in front of
 * every service, the others from CBR or HSS.
 */
export interface ApiError {
  status: number;
  error_code: string;
  error_msg: string;
}

function apiError(status: number, error_code: string, error_msg: string): ApiError {
  return { status, error_code, error_msg };
}

/** APIG's throttling window, as its 429 message names it. */
export type ThrottleWindow = 'second' | 'minute';

export const apiErrors = {
  unknownApi: (method: string, path: string) =>
    apiError(404, 'APIG.0101', `The API does not exist or has not been published in the environment: ${method} ${path}`),
  // The gateway knows an API by method and path: another method on a known path is an unknown API too.
  methodNotAllowed: (method: string, path: string) =>
    apiError(404, 'APIG.0101', `The API does not exist or has not been published in the environment: ${method} ${path}`),
  missingToken: () => apiError(401, 'APIG.0301', 'Incorrect IAM authentication information: x-auth-token not found'),
  badToken: () => apiError(401, 'APIG.0301', 'Incorrect IAM authentication information: decrypt token fail'),
  throttled: (limit: number, window: ThrottleWindow) =>
    apiError(429, 'APIG.0308', `The throttling threshold has been reached: policy user over ratelimit,limit:${limit},time:1 ${window}`),
  backendUnavailable: () => apiError(502, 'APIG.0202', 'Backend unavailable.'),
  backendTimeout: () => apiError(504, 'APIG.0203', 'Backend timeout.'),
  cbrInvalidParameter: (name: string, rule: string) =>
    apiError(400, 'BackupService.9900', `Parameter verification failed: ${name} (${rule})`),
  cbrProjectNotFound: (projectId: string) => apiError(404, 'BackupService.6404', `Project ${projectId} not found.`),
  cbrInternal: () => apiError(500, 'BackupService.9910', 'Unknown error.'),
  /** Authentication failures CBR reports without a 401. */
  cbrAuthenticationFailed: () => apiError(500, 'BackupService.9998', 'Authentication failed.'),
  cbrNotAuthenticated: () => apiError(403, 'BackupService.8600', 'Not authenticated.'),
  hssInvalidParameter: (name: string, rule: string) => apiError(400, 'HSS.0001', `Invalid parameter: ${name} (${rule})`),
  hssProjectNotFound: (projectId: string) => apiError(404, 'HSS.1404', `Project ${projectId} not found.`),
  // Not in the published table: a stand-in for "system error".
  hssInternal: () => apiError(500, 'HSS.0004', 'System error.'),
  invalidJsonBody: () => apiError(400, 'APIG.0201', 'API request error: the body is not valid JSON.'),
};

/** The body of an ApiError with its request id: the status travels in the status line only. */
export function errorBody(error: ApiError, requestId: string): { error_code: string; error_msg: string; request_id: string } {
  return { error_code: error.error_code, error_msg: error.error_msg, request_id: requestId };
}

/** What an nginx in front of the API answers when its upstream is down: HTML, not JSON. */
export const NGINX_BAD_GATEWAY_HTML =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n' +
  '<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';
