import type { Dispatcher } from 'undici';
import { EnvHttpProxyAgent } from '../cloud/undici-parts.js';
import type { Config } from '../config/schema.js';
import { trustedCas } from './ca-file.js';

/** An HTTP client for `config`'s requests: its CA file, HTTPS_PROXY; ConfigError when the CA file cannot be read. */
export function createDispatcher(config: Config): Dispatcher {
  const ca = trustedCas(config);
  // Honours HTTPS_PROXY / HTTP_PROXY / NO_PROXY; TLS verification is never turned off.
  return new EnvHttpProxyAgent({ connect: { ca }, requestTls: { ca }, keepAliveTimeout: 30_000, connections: 64 });
}
