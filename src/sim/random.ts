/**
 * Seeded pseudo-random numbers for the simulated fleets (mulberry32). Every record draws from its own
 * generator, seeded from (project, seed, stream, index), so a fleet of 10 vaults is the prefix of a fleet
 * of 100 with the same seed, and adding HSS vaults never changes the CBR ones.
 */
const HEX_CODES: readonly number[] = Array.from('0123456789abcdef', (digit) => digit.charCodeAt(0));
const DASH = '-'.charCodeAt(0);
const UUID_DASHES: readonly number[] = [8, 13, 18, 23];

export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('Random.pick: empty list');
    return item;
  }

  /** Picks by weight: `[[value, weight], ...]`. */
  weighted<T>(choices: readonly (readonly [T, number])[]): T {
    const total = choices.reduce((sum, [, weight]) => sum + weight, 0);
    let roll = this.next() * total;
    for (const [value, weight] of choices) {
      roll -= weight;
      if (roll < 0) return value;
    }
    return this.pick(choices)[0];
  }

  hex(digits: number): string {
    return String.fromCharCode(...this.hexCodes(new Array<number>(digits)));
  }

  /** A version-4-shaped UUID. */
  uuid(): string {
    const codes = this.hexCodes(new Array<number>(36), UUID_DASHES);
    codes[14] = HEX_CODES[4] as number;
    codes[19] = HEX_CODES[8 + ((codes[19] as number) & 3)] as number;
    return String.fromCharCode(...codes);
  }

  // Fills `codes` with hex digit char codes, eight per draw, leaving dashes at `dashes`, to be joined
  // once: fleets of 100,000 vaults are mostly IDs, and concatenating digit by digit left them as deep
  // rope strings (slow to build, heavy to keep).
  private hexCodes(codes: number[], dashes: readonly number[] = []): number[] {
    let bits = 0;
    let drawn = 0;
    for (let i = 0; i < codes.length; i++) {
      if (dashes.includes(i)) {
        codes[i] = DASH;
        continue;
      }
      if (drawn++ % 8 === 0) bits = (this.next() * 4294967296) >>> 0;
      codes[i] = HEX_CODES[bits & 15] as number;
      bits >>>= 4;
    }
    return codes;
  }
}

/**
 * `uuid` with its last 12 hex digits replaced by `stream` and `serial`: unique within a fleet by construction.
 * Each record draws from a generator with a 32-bit seed, so two of 10,000 records share a seed (and so an
 * id) about once in a hundred fleets; the real APIs never repeat an id, and a repeated one reads as pages
 * that contradict each other.
 */
export function serialUuid(uuid: string, stream: number, serial: number): string {
  return `${uuid.slice(0, 24)}${(stream * 2 ** 40 + serial).toString(16).padStart(12, '0')}`;
}

/** 32-bit FNV-1a of a string: turns a project ID into seed material. */
export function hashText(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/** Mixes integers into one well-spread 32-bit seed (so neighbouring indexes get unrelated streams). */
export function mixSeed(...parts: number[]): number {
  let hash = 0x811c9dc5;
  for (const part of parts) {
    hash = Math.imul(hash ^ (part >>> 0), 0x01000193);
    hash ^= hash >>> 15;
    hash = Math.imul(hash, 0x2c1b3c6d);
    hash ^= hash >>> 12;
  }
  return hash >>> 0;
}
