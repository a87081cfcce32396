import { SOURCES } from '../config/sources.js';
import { generateInsertedVault } from './fleet.js';
import { recordId, type ProjectFleet, type VaultRecordOf, type Source } from './records.js';

interface ProjectState {
  records: { [S in Source]: VaultRecordOf[S][] };
  /** What `count` / `total_num` report instead of the real length (a knob for offset-cap tests). */
  reportedTotal: { [S in Source]?: number };
}

/** The simulated cloud's vaults per project, changeable between (and, with page shifts, during) listings. */
export class ProjectStore {
  private readonly projects = new Map<string, ProjectState>();
  private insertedSerial = 0;
  /**
   * Each record's JSON, made once: a page is then a join of strings, so that the simulator's own cost per
   * page stays small beside the latency it simulates (benchmarks measure the exporter, not this). Records
   * are replaced through update(), which also forgets the JSON of a record edited in place.
   */
  private readonly json = new WeakMap<object, string>();

  constructor(fleets: readonly ProjectFleet[]) {
    for (const fleet of fleets) this.addFleet(fleet);
  }

  /** A project's vaults, at start or when the project is created later. */
  addFleet(fleet: ProjectFleet): void {
    if (this.projects.has(fleet.projectId)) throw new Error(`simulated cloud: project ${fleet.projectId} is given twice`);
    // Copies of the arrays: changes made here never reach the caller's fleet.
    const records = Object.fromEntries(SOURCES.map((source) => [source, [...fleet[source]]])) as ProjectState['records'];
    this.projects.set(fleet.projectId, { records, reportedTotal: {} });
  }

  has(projectId: string): boolean {
    return this.projects.has(projectId);
  }

  private state(projectId: string): ProjectState {
    const state = this.projects.get(projectId);
    if (!state) throw new Error(`simulated cloud: no project ${projectId}`);
    return state;
  }

  /** `[record, ...]` of the given records, as JSON.stringify would write it. */
  jsonArray(records: readonly object[]): string {
    let out = '';
    for (const record of records) {
      let text = this.json.get(record);
      if (text === undefined) {
        text = JSON.stringify(record);
        this.json.set(record, text);
      }
      out += out ? `,${text}` : text;
    }
    return `[${out}]`;
  }

  /** Whether any CBR record of the project is a hybrid-cloud vault (else every CBR record is public). */
  hasHybrid(projectId: string): boolean {
    return this.state(projectId).records.cbr.some((record) => (record as { billing?: { cloud_type?: unknown } }).billing?.cloud_type === 'hybrid');
  }

  /** The project's current records of `source`, in listing order (read-only: change them with the methods). */
  records<S extends Source>(projectId: string, source: S): readonly VaultRecordOf[S][] {
    return this.state(projectId).records[source];
  }

  /** What the listing reports as the total: the override when set, else the number of records. */
  total(projectId: string, source: Source): number {
    const state = this.state(projectId);
    return state.reportedTotal[source] ?? state.records[source].length;
  }

  setReportedTotal(projectId: string, source: Source, total: number | undefined): void {
    if (total !== undefined && (!Number.isSafeInteger(total) || total < 0)) {
      throw new RangeError(`setReportedTotal: total must be a whole number ≥ 0, got ${total}`);
    }
    this.state(projectId).reportedTotal[source] = total;
  }

  add<S extends Source>(projectId: string, source: S, records: readonly VaultRecordOf[S][], at: 'start' | 'end' = 'end'): void {
    const list = this.state(projectId).records[source];
    if (at === 'start') list.unshift(...records);
    else list.push(...records);
  }

  /** Removes the records with these IDs; returns how many were removed. */
  delete(projectId: string, source: Source, ids: readonly string[]): number {
    const state = this.state(projectId);
    const doomed = new Set(ids);
    const before = state.records[source].length;
    const kept = (state.records[source] as (VaultRecordOf[Source])[]).filter((record) => {
      const id = recordId(source, record);
      return id === undefined || !doomed.has(id);
    });
    (state.records as Record<Source, unknown[]>)[source] = kept;
    return before - kept.length;
  }

  /** Replaces the record with this ID by `change(record)`; false when there is none. */
  update<S extends Source>(projectId: string, source: S, id: string, change: (record: VaultRecordOf[S]) => VaultRecordOf[S]): boolean {
    const list = this.state(projectId).records[source];
    const index = list.findIndex((record) => recordId(source, record) === id);
    const current = list[index];
    if (current === undefined) return false;
    const next = change(current);
    this.json.delete(next); // in case change() edited the record in place
    list[index] = next;
    return true;
  }

  /** The fleet changing under a paging reader: the page-shift fault, applied before a continuation page. */
  shift(projectId: string, source: Source, change: { insert: boolean; delete: boolean }): void {
    const list = this.state(projectId).records[source] as unknown[];
    if (change.delete) list.shift();
    if (change.insert) list.unshift(generateInsertedVault(projectId, source, ++this.insertedSerial));
  }
}
