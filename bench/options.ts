import { parseArgs } from 'node:util';
import { SIZES, type Size } from './sizes.js';

export interface Options {
  latencyMs: number;
  concurrency: number;
  /** Length of one wrk run. */
  seconds: number;
  /** Exporter/bare wrk runs alternate this many times; medians are reported. */
  rounds: number;
  /** Unloaded refreshes per exporter child; medians are reported. */
  refreshes: number;
  scrapers: number;
  resolutionMs: number;
  exporterNodeArgs: string[];
  sizes: Size[];
  /** Soak refreshes per size; undefined: each size's own count. */
  soak: number | undefined;
}

/** A mistake in how the bench was started (a flag, a missing tool): printed as its one line, without a stack. */
export class BenchSetupError extends Error {
  override name = 'BenchSetupError';
}

/** A bench option that must be a whole number in [min, max]; throws naming it. */
export function wholeOption(text: string | undefined, name: string, min: number, max: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) throw new BenchSetupError(`--${name}: a whole number from ${min} to ${max}`);
  return value;
}

/** node:util's parseArgs refusals (an unknown flag, a missing value) as BenchSetupError. */
function refusalsExplained<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) throw new BenchSetupError((err as Error).message);
    throw err;
  }
}

export function readOptions(argv: string[]): Options {
  const { values } = refusalsExplained(() => parseArgs({
    args: argv,
    options: {
      latency: { type: 'string', default: '50' },
      concurrency: { type: 'string', default: '4' },
      seconds: { type: 'string', default: '5' },
      rounds: { type: 'string', default: '3' },
      refreshes: { type: 'string', default: '3' },
      scrapers: { type: 'string', default: '2' },
      // Refreshes in the RSS soak (after the others); default: 20 at 10k, none at 100k. 0 skips it.
      soak: { type: 'string' },
      resolution: { type: 'string', default: '5' },
      // e.g. --exporter-node-args="--cpu-prof --cpu-prof-dir=/tmp/prof": node flags for the exporter children only.
      'exporter-node-args': { type: 'string', default: '' },
      // For quicker iterations: --sizes=100k runs only that size (and no naive baseline, which is 10k's).
      sizes: { type: 'string', default: SIZES.map((size) => size.key).join(',') },
    },
  }));
  const whole = (name: 'latency' | 'concurrency' | 'seconds' | 'rounds' | 'refreshes' | 'scrapers' | 'resolution', min: number, max: number): number =>
    wholeOption(values[name], name, min, max);
  return {
    latencyMs: whole('latency', 0, 1000),
    concurrency: whole('concurrency', 1, 64),
    seconds: whole('seconds', 2, 60),
    rounds: whole('rounds', 1, 5),
    refreshes: whole('refreshes', 1, 5),
    scrapers: whole('scrapers', 1, 16),
    resolutionMs: whole('resolution', 1, 10),
    soak: values.soak === undefined ? undefined : wholeOption(values.soak, 'soak', 0, 200),
    exporterNodeArgs: values['exporter-node-args'].split(/\s+/).filter(Boolean),
    sizes: values.sizes.split(',').map((key) => {
      const size = SIZES.find((candidate) => candidate.key === key.trim());
      if (!size) throw new BenchSetupError(`--sizes: "${key}" is not one of ${SIZES.map((candidate) => candidate.key).join(', ')}`);
      return size;
    }),
  };
}

/** The flags that reproduce a run, for the results header. */
export function describeOptions(options: Options): string {
  return [
    `--latency=${options.latencyMs}`, `--concurrency=${options.concurrency}`, `--seconds=${options.seconds}`, `--rounds=${options.rounds}`,
    `--refreshes=${options.refreshes}`, `--scrapers=${options.scrapers}`, `--resolution=${options.resolutionMs}`,
    `--sizes=${options.sizes.map((size) => size.key).join(',')}`,
    ...(options.soak === undefined ? [] : [`--soak=${options.soak}`]),
  ].join(' ');
}
