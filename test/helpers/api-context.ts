import { Agent } from 'undici';
import type { ApiContext } from '../../src/cloud/get-json.js';
import { HostLimiter } from '../../src/cloud/host-limiter.js';
import { silentLog } from './exposition.js';

/** An ApiContext with a static token, fast backoff, and the attempts it made. */
export function apiContext(overrides: Partial<ApiContext> = {}, token = 'test-token'): ApiContext & { attempts: string[] } {
  const attempts: string[] = [];
  return {
    dispatcher: new Agent({ keepAliveTimeout: 1000 }),
    credentials: { authorize: async (req) => void (req.headers['X-Auth-Token'] = token), renew: () => false },
    limiter: new HostLimiter(4),
    countAttempt: (code) => attempts.push(code),
    log: silentLog,
    requestTimeoutMs: 5000,
    maxRetries: 3,
    signal: new AbortController().signal,
    backoff: { baseMs: 5, capMs: 20 },
    attempts,
    ...overrides,
  };
}
