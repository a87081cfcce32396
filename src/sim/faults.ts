import type { ThrottleWindow } from './errors.js';
import type { Source } from './records.js';

/**
 * Fault switches of the simulated cloud, all off by default and changeable while it runs.
 * "Every N" switches count the GET requests to the CBR/HSS listings in scope (never IAM, unknown paths
 * or other methods), 1-based, from the last set() or reset(); N = 0 is off. When several match the
 * same request, the first in this order wins: outage, rateLimit, throttle, serverError, htmlBadGateway,
 * truncate, authFailure, echoHeaders, oversizedBody.
 * Faults come before authentication, as at the API gateway.
 */
export interface FaultSettings {
  /** Restricts counting and every fault to one API; undefined: both. */
  only: Source | undefined;
  /** Every Nth request gets 429 APIG.0308 ("limit:20,time:1 second"), as APIG sends it: no Retry-After unless set below. */
  throttleEvery: number;
  /** Sent as Retry-After with every 429 when set; APIG documents none. */
  retryAfterSeconds: number | undefined;
  /**
   * APIG's own limit: at most `limit` listing requests per fixed window (a second or a minute, counted
   * from the epoch as a gateway would); the rest get 429 APIG.0308 naming the limit and window.
   */
  rateLimit: { limit: number; window: ThrottleWindow } | undefined;
  /** Every Nth request gets serverErrorStatus with a JSON error body. */
  serverErrorEvery: number;
  /** 500: the service's own error; 502: APIG.0202 Backend unavailable; 504: APIG.0203 Backend timeout. */
  serverErrorStatus: 500 | 502 | 504;
  /** Every Nth request gets an nginx-style HTML 502 page. */
  htmlBadGatewayEvery: number;
  /** Every Nth request gets its JSON body cut in half (Content-Length matches what is sent). */
  truncateEvery: number;
  /** Added to every response's delay, on top of the cloud's base latency. */
  extraDelayMs: number;
  /** 'unavailable': every request 502 APIG.0202; 'reset': every connection reset without a response. */
  outage: 'off' | 'unavailable' | 'reset';
  /** Before each page after the first (offset > 0) of a listing, a new vault appears at index 0. */
  insertBetweenPages: boolean;
  /**
   * Before each page after the first, the vault at index 0 disappears. With both on, the delete comes
   * first: count and positions stay the same while the set of vaults changes under the reader.
   */
  deleteBetweenPages: boolean;
  /** Paging that lies, as some real listings do (see ListingQuirks). */
  listing: ListingQuirks;
  /** CBR answers every request with an authentication failure that is not a 401 (CBR's error table). */
  authFailure: 'BackupService.9998' | 'BackupService.8600' | undefined;
  /** Every request gets 400 whose error_msg quotes the request headers, credentials included (as some gateways do). */
  echoHeaders: boolean;
  /** Every 200 carries a body of this many bytes (no Content-Length, streamed), or one that never ends; 0 off. */
  oversizedBody: number | 'endless';
}

/** Ways a listing's pages can contradict each other or its total. */
export interface ListingQuirks {
  /** Every page is the first page, whatever the offset. */
  ignoreOffset?: boolean;
  /** No page holds more than this many records, whatever the limit: short pages mid-listing. */
  maxPageSize?: number;
  /** `count` / `total_num` report the page's own length (a total that lies low). */
  totalIsPageLength?: boolean;
  /** Each page after the first starts this many records early: its first records repeat the previous page's. */
  overlap?: number;
  /** Each request sees the records in another order (a listing sorted by nothing): pages repeat some and miss others. */
  unstableOrder?: boolean;
}

export type FaultKind = 'outage' | 'reset' | 'throttle' | 'rate_limit' | 'server_error' | 'html_bad_gateway' | 'truncate' | 'auth_failure' | 'echo_headers' | 'oversized_body';

const NO_FAULTS: Readonly<FaultSettings> = {
  only: undefined,
  throttleEvery: 0,
  retryAfterSeconds: undefined,
  rateLimit: undefined,
  serverErrorEvery: 0,
  serverErrorStatus: 500,
  htmlBadGatewayEvery: 0,
  truncateEvery: 0,
  extraDelayMs: 0,
  outage: 'off',
  insertBetweenPages: false,
  deleteBetweenPages: false,
  listing: {},
  authFailure: undefined,
  echoHeaders: false,
  oversizedBody: 0,
};

const COUNTS = ['throttleEvery', 'retryAfterSeconds', 'serverErrorEvery', 'htmlBadGatewayEvery', 'truncateEvery', 'extraDelayMs'] as const;
const QUIRK_COUNTS = ['maxPageSize', 'overlap'] as const;

export class Faults {
  private current: FaultSettings = { ...NO_FAULTS };
  private counter = 0;
  /** Requests in the current rate-limit window, and which window that is. */
  private windowCount = { window: -1, count: 0 };

  constructor(private readonly now: () => number = Date.now) {}

  get settings(): Readonly<FaultSettings> {
    return this.current;
  }

  /** Requests counted since the last set() or reset(). */
  get counted(): number {
    return this.counter;
  }

  /** Changes some switches (the others keep their values) and restarts the count. */
  set(changes: Partial<FaultSettings>): void {
    for (const key of COUNTS) {
      const value = changes[key];
      if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
        throw new RangeError(`Faults.set: ${key} must be a whole number ≥ 0, got ${value}`);
      }
    }
    for (const key of QUIRK_COUNTS) {
      const value = changes.listing?.[key];
      if (value !== undefined && (!Number.isSafeInteger(value) || value < 1)) throw new RangeError(`Faults.set: listing.${key} must be a whole number ≥ 1, got ${value}`);
    }
    const limit = changes.rateLimit?.limit;
    if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 1)) throw new RangeError(`Faults.set: rateLimit.limit must be ≥ 1, got ${limit}`);
    this.current = { ...this.current, ...changes };
    this.counter = 0;
    this.windowCount = { window: -1, count: 0 };
  }

  /** Switches everything off and restarts the count. */
  reset(): void {
    this.current = { ...NO_FAULTS };
    this.counter = 0;
    this.windowCount = { window: -1, count: 0 };
  }

  private inScope(source: Source): boolean {
    return this.current.only === undefined || this.current.only === source;
  }

  /** Counts one request to `source` and names the fault it suffers, if any. */
  next(source: Source): FaultKind | undefined {
    if (!this.inScope(source)) return undefined;
    const n = ++this.counter;
    const s = this.current;
    const every = (period: number): boolean => period > 0 && n % period === 0;
    if (s.outage === 'unavailable') return 'outage';
    if (s.outage === 'reset') return 'reset';
    if (s.rateLimit && this.overRateLimit(s.rateLimit)) return 'rate_limit';
    if (every(s.throttleEvery)) return 'throttle';
    if (every(s.serverErrorEvery)) return 'server_error';
    if (every(s.htmlBadGatewayEvery)) return 'html_bad_gateway';
    if (every(s.truncateEvery)) return 'truncate';
    if (s.authFailure && source === 'cbr') return 'auth_failure';
    if (s.echoHeaders) return 'echo_headers';
    if (s.oversizedBody !== 0) return 'oversized_body';
    return undefined;
  }

  /** Fixed windows, as APIG counts: the request that finds its window full is refused (and not counted in it). */
  private overRateLimit(rate: { limit: number; window: ThrottleWindow }): boolean {
    const window = Math.floor(this.now() / (rate.window === 'second' ? 1000 : 60_000));
    if (window !== this.windowCount.window) this.windowCount = { window, count: 0 };
    if (this.windowCount.count >= rate.limit) return true;
    this.windowCount.count++;
    return false;
  }

  listingQuirks(source: Source): ListingQuirks {
    return this.inScope(source) ? this.current.listing : {};
  }

  extraDelayMs(source: Source): number {
    return this.inScope(source) ? this.current.extraDelayMs : 0;
  }

  pageShift(source: Source): { insert: boolean; delete: boolean } | undefined {
    const { insertBetweenPages: insert, deleteBetweenPages: del } = this.current;
    return (insert || del) && this.inScope(source) ? { insert, delete: del } : undefined;
  }
}
