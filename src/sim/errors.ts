/**
 * The error responses of the simulated cloud. Huawei Cloud answers errors with `{error_code, error_msg}`:
 * APIG.* codes come from the API gateway in front of every service, the others from CBR or HSS.
 */
export interface ApiError {
  status: number;
  error_code: string;
  error_msg: string;
}

function apiError(status: number, error_code: string, error_msg: string): ApiError {
  return { status, error_code, error_msg };
}

export const apiErrors = {
  unknownApi: (method: string, path: string) =>
    apiError(404, 'APIG.0101', `The API does not exist or has not been published in the environment: ${method} ${path}`),
  methodNotAllowed: (method: string) => apiError(405, 'APIG.0101', `The API does not exist: method ${method} is not allowed`),
  missingToken: () => apiError(401, 'APIG.0301', 'Incorrect IAM authentication information: x-auth-token not found'),
  badToken: () => apiError(401, 'APIG.0301', 'Incorrect IAM authentication information: decrypt token fail'),
  throttled: () => apiError(429, 'APIG.0308', 'The request is throttled. The throttling threshold has been reached.'),
  backendUnavailable: () => apiError(503, 'APIG.0202', 'Backend unavailable.'),
  cbrInvalidParameter: (name: string, rule: string) =>
    apiError(400, 'BackupService.6001', `Invalid parameter: ${name} (${rule})`),
  cbrProjectNotFound: (projectId: string) => apiError(404, 'BackupService.6404', `Project ${projectId} not found.`),
  cbrInternal: () => apiError(500, 'BackupService.9900', 'Internal error.'),
  hssInvalidParameter: (name: string, rule: string) => apiError(400, 'HSS.1007', `Invalid parameter: ${name} (${rule})`),
  hssProjectNotFound: (projectId: string) => apiError(404, 'HSS.1404', `Project ${projectId} not found.`),
  hssInternal: () => apiError(500, 'HSS.0001', 'System error.'),
  invalidJsonBody: () => apiError(400, 'APIG.0201', 'API request error: the body is not valid JSON.'),
};

/** The body of an ApiError: the status travels in the status line only. */
export function errorBody(error: ApiError): { error_code: string; error_msg: string } {
  return { error_code: error.error_code, error_msg: error.error_msg };
}

/** What an nginx in front of the API answers when its upstream is down: HTML, not JSON. */
export const NGINX_BAD_GATEWAY_HTML =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n' +
  '<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';
