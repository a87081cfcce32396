/**
 * How many bcrypt checks may run at once, and how many may wait. One at a time, as exporter-toolkit's mutex
 * has it: on a 2-core host the other core stays free for scrapes, and a libuv thread stays free for zlib and
 * file reads. The waiting room is what a burst of honest logins needs (a Prometheus pair and a few people);
 * an attacker's flood beyond it is answered at once instead of queueing without end.
 */
export const PASSWORD_CHECK_LIMITS = { running: 1, waiting: 15 } as const;

/** The check could not even be queued: answer 429 now. */
export const BUSY = Symbol('busy');

export interface PasswordChecks {
  /** Resolves whether `password` matches `hash`, or BUSY at once when the bound is reached. */
  verify(password: string, hash: string): Promise<boolean> | typeof BUSY;
  /** Checks running or waiting now. */
  inFlight(): number;
}

export type Verifier = (password: string, hash: string) => Promise<boolean>;

/**
 * @node-rs/bcrypt is loaded by the first check, not at start: its native addon made an exporter without
 * basic_auth_users 2.6-3.4 MiB larger (3 s after its first refresh at 10,000 vaults, five starts each), for
 * nothing. A start with users loads it before listening (loadBcrypt), so a broken install fails there.
 */
export const loadBcrypt = () => import('@node-rs/bcrypt');
const bcryptVerify: Verifier = async (password, hash) => (await loadBcrypt()).verify(password, hash);

/**
 * bcrypt off the event loop (@node-rs/bcrypt runs it on a libuv worker thread), bounded. One instance per
 * server, shared across web config reloads, so that a reload does not open a second waiting room.
 */
export function createPasswordChecks(limits: { running: number; waiting: number } = PASSWORD_CHECK_LIMITS, verifier: Verifier = bcryptVerify): PasswordChecks {
  let running = 0;
  const queue: (() => void)[] = [];
  const release = () => {
    running--;
    const next = queue.shift();
    if (next) next();
  };
  return {
    verify(password, hash) {
      if (running >= limits.running && queue.length >= limits.waiting) return BUSY;
      return new Promise<boolean>((resolve, reject) => {
        const start = () => {
          running++;
          verifier(password, hash).finally(release).then(resolve, reject);
        };
        if (running < limits.running) start();
        else queue.push(start);
      });
    },
    inFlight: () => running + queue.length,
  };
}
