import type { VaultSnapshot } from '../collect/snapshot.js';
import { CBR_FAMILIES } from './cbr-families.js';
import { escapeLabelValue, formatLabelPairs, formatValue } from './exposition.js';
import type { VaultFamily } from './family.js';
import { HSS_FAMILIES } from './hss-families.js';

/** Text is gathered per family in strings of about this size, then kept as Buffers (one copy, compact). */
const CHUNK_CHARS = 1 << 16;
/**
 * Rendering yields to the event loop after this long, so that scrapes and health checks stay prompt
 * (1,000 vaults take 10-50 ms depending on JIT warm-up and GC); the clock is read every few vaults.
 */
const SLICE_MS = 8;
const VAULTS_PER_CLOCK_READ = 32;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Sample lines of each family (aligned with the source's family list), without HELP/TYPE, as the chunks
 * they were rendered in: never concatenated, since a copy of a large fleet's text would block the loop.
 */
export interface RenderedFamilies {
  families: Buffer[][];
  series: number;
}

class FamilyText {
  private chunks: Buffer[] = [];
  private pending = '';

  append(line: string): void {
    this.pending += line;
    if (this.pending.length >= CHUNK_CHARS) this.flush();
  }

  finish(): Buffer[] {
    this.flush();
    return this.chunks;
  }

  private flush(): void {
    if (this.pending) this.chunks.push(Buffer.from(this.pending, 'utf8'));
    this.pending = '';
  }
}

async function renderVaults<T extends { id: string; name: string }>(
  families: readonly VaultFamily<T>[],
  vaults: readonly T[],
  identity: string,
): Promise<RenderedFamilies> {
  const texts = families.map(() => new FamilyText());
  let series = 0;
  let sliceStart = performance.now();
  for (let i = 0; i < vaults.length; i++) {
    if (i % VAULTS_PER_CLOCK_READ === 0 && performance.now() - sliceStart > SLICE_MS) {
      await yieldToEventLoop();
      sliceStart = performance.now();
    }
    const vault = vaults[i] as T;
    // The identity labels are escaped once per vault and shared by all of its series.
    const prefix = `{${identity},vault_id="${escapeLabelValue(vault.id)}",vault_name="${escapeLabelValue(vault.name)}"`;
    families.forEach((family, f) => {
      for (const sample of family.samples(vault)) {
        const extra = sample.labels.length ? `,${formatLabelPairs(sample.labels)}` : '';
        (texts[f] as FamilyText).append(`${family.name}${prefix}${extra}} ${formatValue(sample.value)}\n`);
        series++;
      }
    });
  }
  return { families: texts.map((text) => text.finish()), series };
}

/** Renders a snapshot's series once, at publication; scrapes then only copy bytes. */
export function renderSnapshot(snapshot: VaultSnapshot): Promise<RenderedFamilies> {
  const identity = `project_id="${escapeLabelValue(snapshot.pair.projectId)}",region="${escapeLabelValue(snapshot.pair.region)}"`;
  return snapshot.source === 'cbr'
    ? renderVaults(CBR_FAMILIES, snapshot.vaults, identity)
    : renderVaults(HSS_FAMILIES, snapshot.vaults, identity);
}
