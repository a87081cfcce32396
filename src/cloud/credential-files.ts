import type { AuthConfig } from '../config/auth.js';
import { credentialFingerprint } from './refusal-backoff.js';
import { readSecretFileSync } from './secret-file.js';

/**
 * Reads every file a credential mode names, as making its Credentials would (a missing or empty token_file
 * too, though it is read again on use): throws an Error with a one-line message naming the file. For the
 * main thread's config check, which makes no Credentials (the refresh worker does, with the HTTP client).
 */
export function readCredentialFiles(auth: AuthConfig): void {
  credentialFingerprint(auth);
  if (auth.kind === 'token_file') readSecretFileSync(auth.file, 'token_file');
}
