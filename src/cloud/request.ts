import type { ApiError } from './api-error.js';

/** A request as the cloud clients build it, before credentials are applied. */
export interface OutgoingRequest {
  method: 'GET' | 'POST';
  url: URL;
  /** Header names in any case; credentials add theirs (X-Auth-Token, X-Sdk-Date, Authorization, ...). */
  headers: Record<string, string>;
  body?: Uint8Array;
}

/** One way of proving who we are to Huawei Cloud: a static token, a rotating token file, AK/SK signing, IAM password. */
export interface Credentials {
  /** Adds the authentication headers to `req` (mutates `req.headers`). */
  authorize(req: OutgoingRequest): Promise<void>;
  /**
   * Called once after a 401 from CBR/HSS with the request that was refused. Drops a cached token so that
   * the next authorize() obtains a fresh one (unless the refused request carried an older token than the
   * cached one: another request renewed it already), and returns true when a single retry can help
   * (IAM tokens, token files); false otherwise.
   */
  renew(rejected?: OutgoingRequest): boolean;
  /** Told when CBR/HSS finally refused `request`, made with these credentials (401, after any renewal). */
  refused?(error: ApiError, request: OutgoingRequest): void;
  /**
   * For credentials that something else rotates (token_file): which version is in force now. A refusal of
   * one version says nothing about the next.
   */
  version?(): Promise<string>;
  /** Told when CBR/HSS answered a request made with these credentials. */
  accepted?(): void;
  /** Every secret these credentials hold now (keys, passwords, tokens), to scrub from upstream text. */
  secrets?(): string[];
}

/** Counts one HTTP attempt: `code` is the HTTP status, or `error` / `timeout` / `invalid_body`. */
export type CountAttempt = (code: string) => void;
