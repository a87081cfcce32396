/** What waitFor watches of a process a test started. */
export interface Watched {
  readonly name: string;
  /** False once it exited (or could not start). */
  readonly running: boolean;
  /** Resolves once its output is all read, after it ended. */
  readonly closed: Promise<void>;
  /** Resolves at its next line of output or its end. */
  changed(): Promise<void>;
  /** How it ended and the tail of what it printed, for an error message. */
  output(): string;
}

export interface WaitOptions {
  /** Default 30 s. */
  timeoutMs?: number;
  /** Pause between probes; default 250 ms. */
  intervalMs?: number;
  /** Processes the state depends on: the wait fails as soon as one of them has ended, with its output. */
  daemons?: readonly Watched[];
  /** Probe again at every line the daemons print, not only after intervalMs (for waits on their output). */
  wakeOnOutput?: boolean;
  /** The state last seen, for the error when the time is up. */
  detail?: () => string;
}

type NotYet = undefined | null | false;

/** How long a process that ended gets to have its output read before the wait gives up on it. */
const OUTPUT_DRAIN_MS = 2000;

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Probes until `probe` returns something other than undefined, null or false, and returns that. A probe that
 * throws is tried again (a server not listening yet), except for a failed expect(): a probe may assert what
 * must hold on the way, and that fails the wait at once.
 */
export async function waitFor<T>(what: string, probe: () => T | NotYet | Promise<T | NotYet>, options: WaitOptions = {}): Promise<T> {
  const { timeoutMs = 30_000, intervalMs = 250, daemons = [], wakeOnOutput = false, detail } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  const attempt = async (): Promise<T | NotYet> => {
    try {
      return await probe();
    } catch (err) {
      if (err instanceof Error && err.name === 'AssertionError') throw err;
      lastError = err;
      return undefined;
    }
  };
  for (;;) {
    const dead = daemons.find((d) => !d.running);
    if (dead) {
      // What it printed last may be what the probe looks for.
      await Promise.race([dead.closed, pause(OUTPUT_DRAIN_MS)]);
      const value = await attempt();
      if (value !== undefined && value !== null && value !== false) return value;
      throw new Error(`${dead.name} ended while waiting for ${what}\n${dead.output()}`);
    }
    const value = await attempt();
    if (value !== undefined && value !== null && value !== false) return value;
    const left = deadline - Date.now();
    if (left <= 0) {
      const last = lastError instanceof Error ? `; last error: ${lastError.message}` : '';
      const seen = detail ? `; last seen: ${detail()}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last}${seen}\n${daemons.map((d) => d.output()).join('\n')}`);
    }
    const wakes = daemons.map((d) => (wakeOnOutput ? d.changed() : d.closed));
    await Promise.race([pause(Math.min(intervalMs, left)), ...wakes]);
  }
}
