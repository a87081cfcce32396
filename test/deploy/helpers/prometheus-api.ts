import { get } from '../../helpers/http.js';

export interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}
export interface RangeSeries {
  metric: Record<string, string>;
  values: Array<[number, string]>;
}
export interface ActiveAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing';
  value: string;
}
export interface RuleState {
  name: string;
  type: 'alerting' | 'recording';
  health: string;
  lastError?: string;
  /** When it was last evaluated (RFC 3339). */
  lastEvaluation: string;
}

/** The parts of Prometheus's HTTP API these tests read; every call throws on an API error. */
export class PrometheusApi {
  constructor(readonly base: string) {}

  private async data<T>(path: string, params: Record<string, string> = {}): Promise<T> {
    const url = new URL(path, this.base);
    for (const [k, v] of Object.entries(params)) url.searchParams.append(k, v);
    const { status, body } = await get(url.toString(), 10_000);
    const parsed = JSON.parse(body) as { status: string; data: T; error?: string; errorType?: string };
    if (status !== 200 || parsed.status !== 'success') throw new Error(`${path} ${JSON.stringify(params)}: ${status} ${parsed.errorType}: ${parsed.error}`);
    return parsed.data;
  }

  /** An instant query's vector (scalars come back as one sample without labels). */
  async query(expr: string): Promise<Sample[]> {
    const data = await this.data<{ resultType: string; result: Sample[] | [number, string] }>('/api/v1/query', { query: expr });
    if (data.resultType === 'scalar') return [{ metric: {}, value: data.result as [number, string] }];
    return data.result as Sample[];
  }

  /** A range query over the last `seconds`, returning the series. */
  async queryRange(expr: string, seconds: number, step = 1): Promise<RangeSeries[]> {
    const end = Date.now() / 1000;
    return this.queryBetween(expr, end - seconds, end, step);
  }

  /** A range query from `start` to `end` (Unix seconds; a time to come is evaluated on the samples so far). */
  async queryBetween(expr: string, start: number, end: number, step = 1): Promise<RangeSeries[]> {
    const data = await this.data<{ result: RangeSeries[] }>('/api/v1/query_range', { query: expr, start: String(start), end: String(end), step: String(step) });
    return data.result;
  }

  async alerts(): Promise<ActiveAlert[]> {
    return (await this.data<{ alerts: ActiveAlert[] }>('/api/v1/alerts')).alerts;
  }

  async rules(): Promise<RuleState[]> {
    const data = await this.data<{ groups: Array<{ rules: RuleState[] }> }>('/api/v1/rules');
    return data.groups.flatMap((g) => g.rules);
  }

  async labelValues(label: string, match: string): Promise<string[]> {
    return this.data<string[]>(`/api/v1/label/${label}/values`, { 'match[]': match });
  }
}
