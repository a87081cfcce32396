import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { ConfigError } from '../config/config-error.js';
import type { Config } from '../config/schema.js';

/** The CAs the HTTP client trusts: the system roots, plus tls.ca_file (added, not instead: a proxy or IAM may use a public CA). */
export function trustedCas(config: Config): string[] | undefined {
  if (!config.tls.ca_file) return undefined;
  try {
    return [...rootCertificates, readFileSync(config.tls.ca_file, 'utf8')];
  } catch (err) {
    throw new ConfigError(`tls.ca_file: cannot read ${config.tls.ca_file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}
