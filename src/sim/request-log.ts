import type { IncomingHttpHeaders } from 'node:http';
import type { FaultKind } from './faults.js';
import type { Source } from './records.js';

export type SimApi = Source | 'iam' | 'unknown';

/** One request the simulated cloud received, with what it answered. */
export interface RequestRecord {
  /** 1-based, in the order responses were decided. */
  seq: number;
  method: string;
  /** The path without the query string. */
  path: string;
  api: SimApi;
  projectId: string | undefined;
  /** The raw `limit` / `offset` query values as sent (undefined when absent). */
  limit: string | undefined;
  offset: string | undefined;
  /** The whole query as received. */
  query: URLSearchParams;
  /** The status sent; 0 when the connection was reset instead. */
  status: number;
  fault: FaultKind | undefined;
  headers: IncomingHttpHeaders;
}

export type RequestFilter = Partial<Pick<RequestRecord, 'api' | 'method' | 'projectId' | 'status' | 'fault'>>;

/**
 * The requests received, for assertions. Keeps the latest `capacity` records (a long benchmark must not
 * grow without bound); `total` counts all of them.
 */
export class RequestLog {
  private records: RequestRecord[] = [];
  private seq = 0;

  constructor(private readonly capacity = 10_000) {}

  add(record: Omit<RequestRecord, 'seq'>): void {
    if (this.records.length >= this.capacity) this.records.splice(0, this.records.length - this.capacity + 1);
    this.records.push({ seq: ++this.seq, ...record });
  }

  get entries(): readonly RequestRecord[] {
    return this.records;
  }

  /** Requests received since start or the last clear(), including those no longer kept. */
  get total(): number {
    return this.seq;
  }

  /** Kept records matching every given field. */
  filter(match: RequestFilter = {}): RequestRecord[] {
    const keys = Object.keys(match) as (keyof RequestFilter)[];
    return this.records.filter((record) => keys.every((key) => record[key] === match[key]));
  }

  count(match: RequestFilter = {}): number {
    return this.filter(match).length;
  }

  clear(): void {
    this.records = [];
    this.seq = 0;
  }
}
