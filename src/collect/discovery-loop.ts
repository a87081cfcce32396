import type { Dispatcher } from 'undici';
import type { Logger } from 'pino';
import { createCredentials } from '../cloud/credentials.js';
import { startDeadline } from '../cloud/deadline.js';
import type { ApiContext } from '../cloud/get-json.js';
import { HostLimiter } from '../cloud/host-limiter.js';
import { listIamProjects, PROJECT_LIST_PATHS, type ProjectListForm } from '../cloud/iam-projects.js';
import { credentialFingerprint, holdBackWhenRefused, RefusalRecord, refusalKey, type RefusalBackoffSettings } from '../cloud/refusal-backoff.js';
import type { Credentials } from '../cloud/request.js';
import type { AuthConfig } from '../config/auth.js';
import { discoveryIamEndpoint } from '../config/clouds.js';
import { targetsOfProjects, type DiscoveredProject, type DiscoveredTargets, type DiscoverEntry } from '../config/discover.js';
import type { ResolvedTarget } from '../config/targets.js';
import type { CarriedList, DiscoveryCounters, DiscoveryHandover, DiscoveryStatus } from './discovery-status.js';

export type { DiscoveryCounters, DiscoveryHandover, DiscoveryStatus } from './discovery-status.js';

export interface DiscoveryDeps {
  /** The loop's own, closed by stop(). */
  dispatcher: Dispatcher;
  log: Logger;
  counters: DiscoveryCounters;
  /** Counts one IAM request of an entry. */
  countAttempt(entry: DiscoverEntry, code: string): void;
  /** Told when an entry's targets changed, and once every entry has had its first attempt. */
  onChange(): void;
  requestTimeoutMs: number;
  maxRetries: number;
  /** A discovery taking longer is abandoned (refresh.timeout). */
  timeoutMs: number;
  bodySizeLimit: number;
  backoff?: ApiContext['backoff'];
  refusalBackoff?: RefusalBackoffSettings;
  now?: () => number;
}

interface Slot {
  status: DiscoveryStatus;
  credentials: Credentials;
  auth: AuthConfig;
  form: ProjectListForm;
  endpoint: string;
  /** Handover key: what the list depends on. */
  source: string;
  projects?: readonly DiscoveredProject[];
  lastRun?: number;
  timer?: NodeJS.Timeout;
}

/** setTimeout's largest delay; a longer interval waits in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const targetKeys = (found: DiscoveredTargets) => found.targets.map((t) => `${t.project_id}/${t.region}`).join(',');

/**
 * Asks IAM for each discover entry's projects at once (unless a reload carried its list) and then every
 * `interval`. A failed discovery keeps the targets of the last good one; a changed list is told to the daemon,
 * which applies the new target list as a reload does.
 */
export class DiscoveryLoop {
  private readonly slots: Slot[];
  private readonly holds = new Map<string, { fingerprint: string; record: RefusalRecord }>();
  private readonly stopping = new AbortController();
  private readonly running = new Set<Promise<void>>();
  private readonly limiter: HostLimiter;
  private readonly now: () => number;
  private firstRoundTold = false;

  /** Reads every credential file (throws an Error naming it); starts nothing. */
  constructor(
    entries: readonly { entry: DiscoverEntry; auth: AuthConfig }[],
    private readonly deps: DiscoveryDeps,
    carried?: DiscoveryHandover,
  ) {
    this.now = deps.now ?? Date.now;
    this.limiter = new HostLimiter(1);
    this.slots = entries.map(({ entry, auth }) => {
      const key = refusalKey(auth);
      // A secret file that cannot be read: the error names the entry (the one-line reason of a refused config).
      const named = <T>(make: () => T): T => {
        try {
          return make();
        } catch (err) {
          throw new Error(`discover[${entry.index}]: credentials: ${(err as Error).message}`);
        }
      };
      const fingerprint = named(() => credentialFingerprint(auth));
      const before = carried?.holds.get(key);
      if (!this.holds.has(key)) this.holds.set(key, before?.fingerprint === fingerprint ? before : { fingerprint, record: new RefusalRecord(deps.refusalBackoff) });
      const record = (this.holds.get(key) as { record: RefusalRecord }).record;
      const endpoint = discoveryIamEndpoint(entry.settings.cloud, entry.settings.endpoints.iam);
      const form: ProjectListForm = auth.kind === 'access_key' ? 'signed' : 'token';
      const inner = named(() =>
        createCredentials(auth, {
          region: '',
          iamEndpoint: endpoint,
          dispatcher: deps.dispatcher,
          countAttempt: (code) => deps.countAttempt(entry, code),
          requestTimeoutMs: deps.requestTimeoutMs,
        }),
      );
      const credentials = holdBackWhenRefused(inner, record);
      const source = JSON.stringify([endpoint, form, fingerprint]);
      const list = carried?.lists.get(source);
      const slot: Slot = { credentials, auth, form, endpoint, source, status: { entry, iam: `${endpoint}${PROJECT_LIST_PATHS[form]}`, attempted: false, up: false, found: { targets: [], skipped: [] }, invalidRecords: 0 } };
      if (list) {
        slot.projects = list.projects;
        slot.lastRun = list.lastRun;
        const { lastSuccess, invalidRecords, lastError } = list;
        slot.status = { ...slot.status, attempted: true, up: lastError === undefined, lastSuccess, lastError, found: targetsOfProjects(entry, auth, list.projects), invalidRecords };
      }
      return slot;
    });
    this.firstRoundTold = this.attempted();
  }

  /** Every entry has finished its first discovery (or took one over from a reload). */
  attempted(): boolean {
    return this.slots.every((slot) => slot.status.attempted);
  }

  statuses(): readonly DiscoveryStatus[] {
    return this.slots.map((slot) => slot.status);
  }

  /** Every entry's targets of its last good discovery, in entry order. */
  targets(): ResolvedTarget[] {
    return this.slots.flatMap((slot) => slot.status.found.targets);
  }

  /** Discovers now what no reload carried, then every interval. */
  start(): void {
    for (const slot of this.slots) this.schedule(slot, slot.lastRun === undefined ? this.now() : slot.lastRun + slot.status.entry.intervalMs);
  }

  /** Every entry's discovery once, now, and nothing after it (--config.check's dry run). */
  async discoverOnce(): Promise<void> {
    this.stopping.signal.throwIfAborted();
    await Promise.all(this.slots.map((slot) => this.discover(slot, false)));
  }

  /** Stops the timers and aborts discoveries in flight; resolves once they have wound down and the dispatcher is closed. */
  async stop(): Promise<void> {
    for (const slot of this.slots) clearTimeout(slot.timer);
    this.stopping.abort(new Error('discovery stopped (shutdown or config reload)'));
    await Promise.all([...this.running]);
    await this.deps.dispatcher.close();
  }

  handover(): DiscoveryHandover {
    const lists = new Map<string, CarriedList>();
    for (const slot of this.slots) {
      const { lastSuccess, invalidRecords, up, lastError } = slot.status;
      if (!slot.projects || lastSuccess === undefined || slot.lastRun === undefined) continue;
      lists.set(slot.source, { projects: slot.projects, lastSuccess, lastRun: slot.lastRun, invalidRecords, ...(up ? {} : { lastError: lastError ?? 'failed' }) });
    }
    return { lists, holds: this.holds };
  }

  private schedule(slot: Slot, at: number): void {
    if (this.stopping.signal.aborted) return;
    const delay = Math.max(0, at - this.now());
    slot.timer = setTimeout(() => (this.now() >= at ? this.track(this.discover(slot)) : this.schedule(slot, at)), Math.min(delay, MAX_TIMER_MS));
    slot.timer.unref();
  }

  private track(run: Promise<void>): void {
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
  }

  private async discover(slot: Slot, again = true): Promise<void> {
    const { entry } = slot.status;
    const started = this.now();
    const counters = this.deps.counters.get(entry.index) ?? { runs: 0, failures: 0 };
    this.deps.counters.set(entry.index, counters);
    counters.runs++;
    slot.lastRun = started;
    const log = this.deps.log.child({ discovery: entry.index, iam: slot.status.iam });
    const deadline = startDeadline(this.deps.timeoutMs, this.stopping.signal, 'refresh.timeout');
    const before = targetKeys(slot.status.found);
    try {
      const list = await listIamProjects(slot.endpoint, slot.form, this.context(slot, log, deadline.signal));
      const found = targetsOfProjects(entry, slot.auth, list.projects);
      const ended = this.now();
      slot.projects = list.projects;
      slot.status = { ...slot.status, attempted: true, up: true, lastSuccess: ended, lastDurationMs: ended - started, lastError: undefined, found, invalidRecords: list.invalidRecords };
      if (list.invalidRecords > 0) log.warn({ invalid_records: list.invalidRecords }, 'IAM project records without a usable id, name or enabled flag were left out');
      const skipped = Object.fromEntries(found.skipped.map((s) => [s.project.name, s.reason]));
      log.info({ projects: list.projects.length, targets: found.targets.length, skipped, duration_ms: ended - started }, 'discovery complete');
    } catch (err) {
      if (this.stopping.signal.aborted) return;
      counters.failures++;
      const lastError = deadline.signal.aborted && deadline.signal.reason instanceof Error ? `discovery aborted: ${deadline.signal.reason.message}` : (err as Error).message;
      slot.status = { ...slot.status, attempted: true, up: false, lastError, lastDurationMs: this.now() - started };
      log.error({ err_msg: lastError, targets: slot.status.found.targets.length }, 'discovery failed; keeping the targets of the last good one');
    } finally {
      deadline.clear();
    }
    if (again) this.schedule(slot, started + entry.intervalMs);
    // Nothing before every entry had its first discovery: the first target list holds them all, and its first
    // refresh is not cut short by the next entry's answer.
    if (!this.firstRoundTold) {
      this.firstRoundTold = this.attempted();
      if (this.firstRoundTold) this.deps.onChange();
    } else if (targetKeys(slot.status.found) !== before) this.deps.onChange();
  }

  private context(slot: Slot, log: Logger, signal: AbortSignal): ApiContext {
    const { deps } = this;
    return {
      dispatcher: deps.dispatcher,
      credentials: slot.credentials,
      limiter: this.limiter,
      countAttempt: (code) => deps.countAttempt(slot.status.entry, code),
      log,
      requestTimeoutMs: deps.requestTimeoutMs,
      maxRetries: deps.maxRetries,
      signal,
      deadlineAt: this.now() + deps.timeoutMs,
      bodySizeLimit: deps.bodySizeLimit,
      backoff: deps.backoff,
    };
  }
}
