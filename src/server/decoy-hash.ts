import { randomBytes } from 'node:crypto';

/** A stranger's user name never costs more than this, whatever costs the user file holds. */
export const MAX_DECOY_COST = 12;

const STANDARD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BCRYPT = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** bcrypt's base64: the standard encoding, unpadded, in bcrypt's own alphabet. */
function bcryptBase64(bytes: Buffer): string {
  return bytes.toString('base64').replace(/=+$/, '').replace(/[A-Za-z0-9+/]/g, (c) => BCRYPT[STANDARD.indexOf(c)] as string);
}

/** The cost of a bcrypt hash ($2a$, $2b$ or $2y$, as web-config.ts admits them). */
export function bcryptCost(hash: string): number {
  return Number(hash.slice(4, 6));
}

/**
 * The cost an unknown user is checked at: the most common cost among the file's hashes (the higher one on a
 * tie), capped at MAX_DECOY_COST. Most common, so that an unknown name costs what a typical wrong password
 * costs and timing does not tell which names exist; capped, so that one expensive user (toolkit's own test
 * file has a cost-18 one) does not let every stranger order an 18-second check.
 */
export function decoyCost(hashes: Iterable<string>): number {
  const counts = new Map<number, number>();
  for (const hash of hashes) {
    const cost = bcryptCost(hash);
    counts.set(cost, (counts.get(cost) ?? 0) + 1);
  }
  let best = 4;
  let bestCount = 0;
  for (const [cost, count] of counts) {
    if (count > bestCount || (count === bestCount && cost > best)) [best, bestCount] = [cost, count];
  }
  return Math.min(best, MAX_DECOY_COST);
}

/**
 * A well-formed bcrypt hash of nothing anyone knows, at `cost`: random salt and digest, canonically encoded so
 * that the verifier parses it and does the full work. Making it costs no bcrypt round, so loading a web config
 * never runs bcrypt.
 */
export function decoyHash(cost: number): string {
  return `$2b$${String(cost).padStart(2, '0')}$${bcryptBase64(randomBytes(16))}${bcryptBase64(randomBytes(23))}`;
}
