import type { Dispatcher } from 'undici';
import type { AuthConfig } from '../config/auth.js';
import { iamCredentials } from './iam.js';
import type { CountAttempt, Credentials } from './request.js';
import { readSecretFileSync, resolveSecret } from './secret-file.js';
import { setHeader } from './set-header.js';
import { signRequest, type SigningKey } from './sign.js';
import { tokenFileCredentials } from './token-file.js';

export interface CredentialsContext {
  /** The project the requests are for; undefined for IAM's project list, a call about the whole account. */
  projectId?: string;
  region: string;
  /** The target's IAM endpoint (its cloud's default or `endpoints.iam`); `auth.iam.endpoint` wins over it. */
  iamEndpoint: string;
  dispatcher: Dispatcher;
  /** Counts IAM token requests; the caller files them under source "iam". */
  countAttempt: CountAttempt;
  requestTimeoutMs: number;
  now?: () => Date;
}

function staticTokenCredentials(token: string): Credentials {
  return {
    async authorize(req) {
      setHeader(req.headers, 'X-Auth-Token', token);
    },
    renew: () => false,
    secrets: () => [token],
  };
}

function accessKeyCredentials(key: SigningKey, projectId: string | undefined, now: () => Date): Credentials {
  return {
    async authorize(req) {
      // As the SDK does: the project travels in a signed header too, for APIs that read it from there. A call
      // about the account (IAM's project list) has none, as the SDK's region lookup signs it.
      if (projectId !== undefined) setHeader(req.headers, 'X-Project-Id', projectId);
      for (const [name, value] of Object.entries(signRequest(req, key, now()))) setHeader(req.headers, name, value);
    },
    // A wrong key never gets better, and IAM locks an AK after repeated failures.
    renew: () => false,
    // The AK is an identifier the operator needs in messages; the SK and the security token are secrets.
    secrets: () => [key.sk, ...(key.securityToken ? [key.securityToken] : [])],
  };
}

/**
 * The Credentials for one target. Secrets given as `*_file` are read here (AK/SK, IAM password),
 * except `token_file`, which is read on use because it rotates. Throws an Error with a one-line
 * message naming the file when one cannot be read.
 */
export function createCredentials(auth: AuthConfig, ctx: CredentialsContext): Credentials {
  const now = ctx.now ?? (() => new Date());
  switch (auth.kind) {
    case 'token':
      return staticTokenCredentials(auth.token);
    case 'token_file':
      // Read once now, so that a missing or empty file fails --config.check and a reload; re-read on use.
      readSecretFileSync(auth.file, 'token_file');
      return tokenFileCredentials(auth.file);
    case 'access_key': {
      const key: SigningKey = {
        ak: resolveSecret(auth.accessKey, 'access_key'),
        sk: resolveSecret(auth.secretKey, 'secret_key'),
      };
      if (auth.securityToken) key.securityToken = resolveSecret(auth.securityToken, 'security_token');
      return accessKeyCredentials(key, ctx.projectId, now);
    }
    case 'iam':
      return iamCredentials(
        {
          endpoint: (auth.endpoint ?? ctx.iamEndpoint).replace(/\/+$/, ''),
          domainName: auth.domainName,
          userName: auth.userName,
          password: resolveSecret(auth.password, 'password'),
          ...(ctx.projectId === undefined ? {} : { projectId: ctx.projectId }),
        },
        { dispatcher: ctx.dispatcher, countAttempt: ctx.countAttempt, requestTimeoutMs: ctx.requestTimeoutMs, now },
      );
  }
}
