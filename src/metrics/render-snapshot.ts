import type { VaultSnapshot } from '../collect/snapshot.js';
import { escapeLabelValue, formatValue, labelsAfter } from './exposition.js';
import type { VaultFamily } from './family.js';
import { deflateSegmentSync, SegmentWriter, type DeflatedSegment } from './gzip-parts.js';
import { familiesOf, type SourceFamilies } from './source-families.js';

/** Text is handed to zlib in strings of about this size, and then dropped: only compressed text is kept. */
const CHUNK_CHARS = 1 << 16;
/**
 * Rendering yields to the event loop after this long, so that scrapes and health checks stay prompt
 * (1,000 vaults take 10-50 ms depending on JIT warm-up and GC); the clock is read every few vaults.
 */
const SLICE_MS = 8;
const VAULTS_PER_CLOCK_READ = 32;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The sample lines of each family (aligned with the source's family list), compressed, without HELP/TYPE. */
export interface RenderedFamilies {
  families: DeflatedSegment[];
  series: number;
}

async function renderVaults<T extends { id: string; name: string }>(
  families: readonly VaultFamily<T>[],
  vaults: readonly T[],
  identity: string,
  extra: string,
  level: number,
): Promise<RenderedFamilies> {
  // The identity labels are escaped once per vault and shared by all of its series.
  const prefixes = vaults.map((v) => `{${identity},vault_id="${escapeLabelValue(v.id)}",vault_name="${escapeLabelValue(v.name)}"${extra}`);
  const segments: DeflatedSegment[] = [];
  let series = 0;
  let sliceStart = performance.now();
  for (const family of families) {
    // Made only once a family outgrows one chunk: most families of a small project (tens of vaults) are a few KB,
    // compressed at once, for a zlib stream and its 256 KiB buffers per family cost far more than their text.
    let writer: SegmentWriter | undefined;
    let pending = '';
    for (let i = 0; i < vaults.length; i++) {
      if (i % VAULTS_PER_CLOCK_READ === 0 && performance.now() - sliceStart > SLICE_MS) {
        await yieldToEventLoop();
        sliceStart = performance.now();
      }
      for (const sample of family.samples(vaults[i] as T)) {
        const extra = labelsAfter(sample.labels);
        pending += `${family.name}${prefixes[i]}${extra}} ${formatValue(sample.value)}\n`;
        series++;
      }
      if (pending.length >= CHUNK_CHARS) {
        writer ??= new SegmentWriter(level);
        await writer.write(Buffer.from(pending, 'utf8'));
        pending = '';
      }
    }
    if (!writer) {
      segments.push(deflateSegmentSync(Buffer.from(pending, 'utf8'), level));
      continue;
    }
    if (pending) await writer.write(Buffer.from(pending, 'utf8'));
    segments.push(await writer.finish());
  }
  return { families: segments, series };
}

/** Renders and compresses a snapshot's series once, at publication, family by family of its source; scrapes then only copy bytes. */
export function renderSnapshot(snapshot: VaultSnapshot, families: SourceFamilies, level: number): Promise<RenderedFamilies> {
  const { pair } = snapshot;
  const identity = `project_id="${escapeLabelValue(pair.projectId)}",region="${escapeLabelValue(pair.region)}"`;
  // The target's own labels follow the vault's identity, before each family's labels.
  const extra = labelsAfter(pair.labels);
  return renderVaults(familiesOf(families, snapshot.source), snapshot.vaults, identity, extra, level);
}
