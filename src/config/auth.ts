import { z } from 'zod';
import { httpUrl } from './http-url.js';

/**
 * The `auth:` block. Exactly one credential mode per block; the modes are told apart by their keys.
 * A `*_file` key names a file whose trimmed content is the secret (for Kubernetes Secrets and sidecars).
 */

/** A secret given inline or as the path of a file holding it. */
export type SecretSource = { value: string } | { file: string };

export type AuthConfig =
  | { kind: 'token'; token: string }
  | { kind: 'token_file'; file: string }
  | { kind: 'access_key'; accessKey: SecretSource; secretKey: SecretSource; securityToken?: SecretSource }
  | { kind: 'iam'; endpoint?: string; domainName: string; userName: string; password: SecretSource };

export const ONE_AUTH_MODE =
  'give exactly one of token, token_file, access_key+secret_key (or their _file forms), iam';

const nonEmpty = z.string().min(1);

/** The inline or the file form of one secret, or a message when both are given. */
function secretOf(name: string, value: string | undefined, file: string | undefined): SecretSource | string | undefined {
  if (value !== undefined && file !== undefined) return `give ${name} or ${name}_file, not both`;
  if (value !== undefined) return { value };
  if (file !== undefined) return { file };
  return undefined;
}

const iamBlock = z
  .strictObject({
    endpoint: httpUrl.optional(),
    domain_name: nonEmpty,
    user_name: nonEmpty,
    password: nonEmpty.optional(),
    password_file: nonEmpty.optional(),
  })
  .transform((raw, ctx) => {
    const password = secretOf('password', raw.password, raw.password_file);
    if (password === undefined || typeof password === 'string') {
      ctx.addIssue({ code: 'custom', message: password ?? 'needs password or password_file' });
      return z.NEVER;
    }
    return { endpoint: raw.endpoint, domainName: raw.domain_name, userName: raw.user_name, password };
  });

const rawAuth = z.strictObject({
  token: nonEmpty.optional(),
  token_file: nonEmpty.optional(),
  access_key: nonEmpty.optional(),
  access_key_file: nonEmpty.optional(),
  secret_key: nonEmpty.optional(),
  secret_key_file: nonEmpty.optional(),
  security_token: nonEmpty.optional(),
  security_token_file: nonEmpty.optional(),
  iam: iamBlock.optional(),
});

type RawAuth = z.output<typeof rawAuth>;

function accessKeyAuth(raw: RawAuth): AuthConfig | string {
  const accessKey = secretOf('access_key', raw.access_key, raw.access_key_file);
  const secretKey = secretOf('secret_key', raw.secret_key, raw.secret_key_file);
  const securityToken = secretOf('security_token', raw.security_token, raw.security_token_file);
  for (const checked of [accessKey, secretKey, securityToken]) if (typeof checked === 'string') return checked;
  if (accessKey === undefined && secretKey === undefined) return 'security_token goes with access_key+secret_key';
  if (accessKey === undefined) return 'secret_key needs access_key (or access_key_file)';
  if (secretKey === undefined) return 'access_key needs secret_key (or secret_key_file)';
  return {
    kind: 'access_key',
    accessKey: accessKey as SecretSource,
    secretKey: secretKey as SecretSource,
    ...(securityToken ? { securityToken: securityToken as SecretSource } : {}),
  };
}

/** The one mode that `raw` describes, or a one-line message saying which keys go together. */
function toAuthConfig(raw: RawAuth): AuthConfig | string {
  const usesKeys = [raw.access_key, raw.access_key_file, raw.secret_key, raw.secret_key_file,
    raw.security_token, raw.security_token_file].some((v) => v !== undefined);
  const modes = [
    raw.token !== undefined && 'token',
    raw.token_file !== undefined && 'token_file',
    usesKeys && 'access_key+secret_key',
    raw.iam !== undefined && 'iam',
  ].filter((mode): mode is string => mode !== false);
  if (modes.length === 0) return ONE_AUTH_MODE;
  if (modes.length > 1) return `${modes.join(' and ')} cannot be combined: ${ONE_AUTH_MODE}`;
  if (raw.token !== undefined) return { kind: 'token', token: raw.token };
  if (raw.token_file !== undefined) return { kind: 'token_file', file: raw.token_file };
  if (raw.iam !== undefined) return { kind: 'iam', ...raw.iam };
  return accessKeyAuth(raw);
}

export const authSchema = rawAuth.transform((raw, ctx): AuthConfig => {
  // An unknown key is reported already; guessing the mode from the rest would only add noise.
  if (ctx.issues.length > 0) return z.NEVER;
  const auth = toAuthConfig(raw);
  if (typeof auth === 'string') {
    ctx.addIssue({ code: 'custom', message: auth });
    return z.NEVER;
  }
  return auth;
});

/**
 * AK/SK from the environment variables the Huawei Cloud SDKs read, for a config without any `auth:`.
 * Undefined when none is set; throws an Error with a one-line message when only some are.
 */
export function credentialsFromEnv(env: NodeJS.ProcessEnv): AuthConfig | undefined {
  const read = (name: string): string | undefined => env[name]?.trim() || undefined;
  const ak = read('HUAWEICLOUD_SDK_AK');
  const sk = read('HUAWEICLOUD_SDK_SK');
  const securityToken = read('HUAWEICLOUD_SDK_SECURITY_TOKEN');
  if (ak === undefined && sk === undefined) {
    if (securityToken === undefined) return undefined;
    throw new Error('HUAWEICLOUD_SDK_SECURITY_TOKEN is set but HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK are not');
  }
  if (ak === undefined) throw new Error('HUAWEICLOUD_SDK_SK is set but HUAWEICLOUD_SDK_AK is not');
  if (sk === undefined) throw new Error('HUAWEICLOUD_SDK_AK is set but HUAWEICLOUD_SDK_SK is not');
  return {
    kind: 'access_key',
    accessKey: { value: ak },
    secretKey: { value: sk },
    ...(securityToken ? { securityToken: { value: securityToken } } : {}),
  };
}
