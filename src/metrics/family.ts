/** Labels a sample has beyond the vault's identity labels, in output order. */
export type ExtraLabels = readonly (readonly [string, string])[];

export interface Sample {
  labels: ExtraLabels;
  value: number;
}

/**
 * One gauge family fed by vault records of type T. `samples` is a pure function of one record:
 * it returns no sample when the record lacks the field (never a made-up 0).
 */
export interface VaultFamily<T> {
  name: string;
  help: string;
  samples(vault: T): Sample[];
}

const NONE: Sample[] = [];

/** A family with one sample per vault, left out when `read` finds no value. */
export function valueFamily<T>(name: string, help: string, read: (vault: T) => number | undefined): VaultFamily<T> {
  return {
    name,
    help,
    samples(vault) {
      const value = read(vault);
      return value === undefined ? NONE : [{ labels: [], value }];
    },
  };
}

/** The vault statuses both APIs document; a vault in another status gets a series of its own as well. */
export const KNOWN_STATUSES = ['available', 'lock', 'frozen', 'deleting', 'error'] as const;

/** A state set: one series per known status (and the vault's own, if unknown), 1 for the current one. */
export function statusFamily<T>(name: string, help: string, read: (vault: T) => string | undefined): VaultFamily<T> {
  return {
    name,
    help,
    samples(vault) {
      const status = read(vault);
      if (status === undefined) return NONE;
      const samples: Sample[] = KNOWN_STATUSES.map((known) => ({ labels: [['status', known]], value: known === status ? 1 : 0 }));
      if (!(KNOWN_STATUSES as readonly string[]).includes(status)) samples.push({ labels: [['status', status]], value: 1 });
      return samples;
    },
  };
}

/** An info metric: value 1, descriptive labels. */
export function infoFamily<T>(name: string, help: string, read: (vault: T) => ExtraLabels): VaultFamily<T> {
  return { name, help, samples: (vault) => [{ labels: read(vault), value: 1 }] };
}

export { GIB, MIB } from '../cloud/record-fields.js';

/** Converts a size in the API's unit to bytes, keeping "missing" missing. */
export function bytes(amount: number | undefined, unit: number): number | undefined {
  return amount === undefined ? undefined : amount * unit;
}
