import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import type { AuthConfig, SecretSource } from '../config/auth.js';
import { ApiError } from './api-error.js';
import type { Credentials, OutgoingRequest } from './request.js';
import { resolveSecret } from './secret-file.js';

/** How long refused credentials are held back: `firstMs` after a refusal, doubling with each one in a row, up to `capMs`. */
export interface RefusalBackoffSettings {
  readonly firstMs: number;
  readonly capMs: number;
}

/** 1, 2, 4, 8, 16, then every 30 minutes: a handful of refusals an hour at most, whatever the schedule. */
export const DEFAULT_REFUSAL_BACKOFF: RefusalBackoffSettings = { firstMs: 60_000, capMs: 30 * 60_000 };

/**
 * The refusals of one set of credentials, shared by every target and source that uses it. Huawei Cloud locks
 * an access key (APIG: after 5 signature failures, for 5 minutes) and an IAM user after repeated failures, and
 * a locked key stays refused after the operator has fixed the config. A refresh schedule of seconds would
 * otherwise be exactly the retry loop that gets a key locked.
 */
/** A RefusalRecord as plain data: what passes to the refresh worker and back, and across reloads. */
export interface RefusalState {
  refusals: number;
  heldUntil: number;
  lastRefusal: string;
  refusedVersion?: string;
}

export class RefusalRecord {
  private refusals = 0;
  private heldUntil = 0;
  private lastRefusal = '';
  private refusedVersion: string | undefined;

  constructor(
    private readonly settings: RefusalBackoffSettings = DEFAULT_REFUSAL_BACKOFF,
    private readonly now: () => number = Date.now,
    state?: RefusalState,
  ) {
    if (state) ({ refusals: this.refusals, heldUntil: this.heldUntil, lastRefusal: this.lastRefusal, refusedVersion: this.refusedVersion } = state);
  }

  state(): RefusalState {
    return { refusals: this.refusals, heldUntil: this.heldUntil, lastRefusal: this.lastRefusal, ...(this.refusedVersion === undefined ? {} : { refusedVersion: this.refusedVersion }) };
  }

  /**
   * Throws an ApiError (code `held`, nothing was sent) while the credentials are held back, unless they are
   * now a `version` other than the one refused (a rotated token file gets its chance at once).
   */
  check(version?: string): void {
    if (this.now() >= this.heldUntil) return;
    if (version !== undefined && version !== this.refusedVersion) return this.accepted();
    throw new ApiError(
      `not sent: these credentials were refused ${this.refusals} time(s) in a row and are held back until ` +
        `${new Date(this.heldUntil).toISOString()}, so that Huawei Cloud does not lock the key; a config reload ` +
        `with changed credentials lets them try at once (last refusal: ${this.lastRefusal})`,
      { code: 'held' },
    );
  }

  refused(error: ApiError, version?: string): void {
    const now = this.now();
    // CBR and HSS run side by side: their refusals of one moment are one refusal, not two.
    if (now < this.heldUntil) return;
    this.refusals++;
    this.lastRefusal = error.message;
    this.refusedVersion = version;
    this.heldUntil = now + Math.min(this.settings.capMs, this.settings.firstMs * 2 ** (this.refusals - 1));
  }

  accepted(): void {
    this.refusals = 0;
    this.heldUntil = 0;
  }
}

/**
 * Who a refusal counts against, as Huawei Cloud counts failures: the access key (not the pair: APIG locks
 * the AK), the IAM user, or the token. Auth blocks with equal keys share one RefusalRecord, so that ten
 * targets with the same wrong key are not ten tries per refresh.
 */
export function refusalKey(auth: AuthConfig): string {
  switch (auth.kind) {
    case 'access_key':
      return 'value' in auth.accessKey ? `ak:${auth.accessKey.value}` : `ak_file:${resolve(auth.accessKey.file)}`;
    case 'iam':
      return `iam:${auth.domainName}/${auth.userName}`;
    case 'token':
      return `token:${createHash('sha256').update(auth.token).digest('base64')}`;
    case 'token_file':
      return `token_file:${resolve(auth.file)}`;
  }
}

/**
 * A digest of everything the credentials are made of, secrets read from their files: equal before and after a
 * config reload when nothing changed, so that a reload does not let refused credentials try again at once (the
 * very loop that gets a key locked), while credentials the operator fixed are tried at the next refresh.
 * A token_file is its path: its rotations are told apart by the hold itself (see RefusalRecord.check).
 */
export function credentialFingerprint(auth: AuthConfig): string {
  const secret = (source: SecretSource | undefined, what: string) => (source === undefined ? '' : resolveSecret(source, what));
  let parts: string[];
  switch (auth.kind) {
    case 'access_key':
      parts = [secret(auth.accessKey, 'access_key'), secret(auth.secretKey, 'secret_key'), secret(auth.securityToken, 'security_token')];
      break;
    case 'iam':
      parts = [auth.endpoint ?? '', auth.domainName, auth.userName, secret(auth.password, 'password')];
      break;
    case 'token':
      parts = [auth.token];
      break;
    case 'token_file':
      parts = [resolve(auth.file)];
      break;
  }
  return createHash('sha256').update(JSON.stringify([auth.kind, ...parts])).digest('base64');
}

/** IAM refusing a password login: the other refusal that locks (the IAM user, this time). */
function isRefusal(err: unknown): err is ApiError {
  return err instanceof ApiError && (err.details.status === 401 || err.details.status === 403);
}

/** `inner`, held back by `record` after refusals: nothing is sent while the record says so. */
export function holdBackWhenRefused(inner: Credentials, record: RefusalRecord): Credentials {
  // The version each request was authorized with, for the refusal that may come back for it.
  const versions = new WeakMap<OutgoingRequest, string>();
  return {
    async authorize(req) {
      const version = await inner.version?.();
      record.check(version);
      if (version !== undefined) versions.set(req, version);
      try {
        await inner.authorize(req);
      } catch (err) {
        if (isRefusal(err)) record.refused(err, version);
        throw err;
      }
    },
    renew: (rejected) => inner.renew(rejected),
    refused: (error, request) => record.refused(error, versions.get(request)),
    accepted: () => record.accepted(),
    secrets: () => inner.secrets?.() ?? [],
  };
}
