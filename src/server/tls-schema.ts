import { z } from 'zod';
import { CLIENT_AUTH_TYPES, CURVES, TLS12_CIPHERS, TLS13_SUITES, TLS_VERSIONS } from './tls-settings.js';

// The web config's tls_server_config as read from the file. Apart from tls-settings.ts, which the server
// uses on every start, so that a start without a web config loads no schema (zod).

const enumOf = (values: readonly string[], message = `must be one of ${values.join(', ')}`) =>
  z.string().refine((v) => values.includes(v), { message });

export const tlsServerConfigSchema = z.strictObject({
  cert: z.string().optional(),
  key: z.string().optional(),
  client_ca: z.string().optional(),
  cert_file: z.string().optional(),
  key_file: z.string().optional(),
  client_auth_type: enumOf(CLIENT_AUTH_TYPES).optional(),
  client_ca_file: z.string().optional(),
  client_allowed_sans: z.array(z.string().min(1)).optional(),
  min_version: enumOf(Object.keys(TLS_VERSIONS)).default('TLS12'),
  max_version: enumOf(Object.keys(TLS_VERSIONS)).default('TLS13'),
  cipher_suites: z.array(enumOf([...Object.keys(TLS12_CIPHERS), ...TLS13_SUITES],
    'not a cipher suite Go accepts (example: TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)')).optional(),
  prefer_server_cipher_suites: z.boolean().default(true),
  curve_preferences: z.array(enumOf(Object.keys(CURVES))).optional(),
});
export type RawTls = z.infer<typeof tlsServerConfigSchema>;
