import { expect } from 'vitest';
import { ConfigError } from '../../src/config/load.js';

/** The message of the ConfigError that `run` throws; fails the test when it throws none or another error. */
export function configErrorOf(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}
