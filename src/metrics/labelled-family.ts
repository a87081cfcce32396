import type { Registry } from 'prom-client';

export interface LabelledSample {
  labels: Readonly<Record<string, string>>;
  value: number;
}

/**
 * A family of the exporter's own metrics whose series may carry any labels: targets' and discover entries'
 * `labels:` differ from one to the next, which a prom-client Counter or Gauge cannot hold (their label names are
 * fixed when they are made). Registered in the registry beside prom-client's own metrics: the registry asks for
 * the samples at every rendering, and writes and escapes the lines itself.
 */
export function registerFamily(registry: Registry, name: string, help: string, type: 'counter' | 'gauge', samples: () => readonly LabelledSample[]): void {
  const family = {
    name,
    help,
    type,
    aggregator: 'sum',
    get: () => Promise.resolve({ name, help, type, aggregator: 'sum', values: samples() }),
    reset: () => undefined,
  };
  registry.registerMetric(family as unknown as Parameters<Registry['registerMetric']>[0]);
}

/** A counter per label set, in the order the label sets first appeared. */
export class LabelledCounter {
  private readonly series = new Map<string, { labels: Readonly<Record<string, string>>; value: number }>();

  inc(labels: Readonly<Record<string, string>>, by = 1): void {
    const key = JSON.stringify(Object.entries(labels));
    const found = this.series.get(key);
    if (found) found.value += by;
    else this.series.set(key, { labels: { ...labels }, value: by });
  }

  samples(): LabelledSample[] {
    return [...this.series.values()].map(({ labels, value }) => ({ labels, value }));
  }
}
