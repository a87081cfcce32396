/**
 * Text that came from upstream (an error_msg, an IAM message, a transport error) can quote what we sent:
 * a gateway that echoes request headers puts the token or signature into our logs. Everything that goes
 * into an ApiError message or a log line passes through here first.
 */

/**
 * Header names whose values are credentials, as an upstream message may quote them. Authorization is not
 * among them: its access key names the key to the operator, and its signature is hidden on its own.
 */
const QUOTED_HEADER = /\b(x-auth-token|x-subject-token|x-security-token)(["']?\s*[:=]\s*["']?)([^"',;\s}\]]+)/gi;
const SIGNATURE = /\b(Signature=)[0-9a-fA-F]{16,}/g;
/** Shorter strings would hide ordinary words; no real secret is this short. */
const MIN_SECRET_LENGTH = 6;

export const HIDDEN = '***';

/** `text` with every known secret, every signature and every quoted credential header value hidden. */
export function scrubSecrets(text: string, secrets: Iterable<string | undefined> = []): string {
  let out = text;
  // Longest first: a token that contains another secret is hidden whole.
  const known = [...new Set([...secrets].filter((s): s is string => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH))].sort((a, b) => b.length - a.length);
  for (const secret of known) out = out.split(secret).join(HIDDEN);
  return out.replace(SIGNATURE, `$1${HIDDEN}`).replace(QUOTED_HEADER, `$1$2${HIDDEN}`);
}

/** The credential values a request carries (token, security token, the signature of its Authorization). */
export function secretsOfHeaders(headers: Record<string, string>): string[] {
  const found: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (lower === 'x-auth-token' || lower === 'x-security-token') found.push(value);
    if (lower === 'authorization') {
      const signature = /Signature=([0-9a-fA-F]+)/.exec(value)?.[1];
      if (signature) found.push(signature);
    }
  }
  return found;
}
