import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A full garbage collection, run once after each refresh is published. A refresh leaves tens of MB of
 * parsed API pages behind (at 10,000 vaults the heap held 84 MB with 22 MB live), and an exporter then
 * sits idle for minutes, allocating too little for V8 to collect them: RSS stayed 60 MB higher until
 * the next refresh. One collection at that quiet moment costs a pause of about 10-30 ms (included in the
 * benchmark's event-loop figures). Uses --expose-gc when given, else exposes gc for this process only.
 */
export function fullGc(): (() => void) | undefined {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}
