/**
 * The buffers a unit of rendered series crossed from the refresh worker in, freed the moment the last holder lets
 * go: the exposition that shows them, and every /metrics answer that writes them. Left to V8, a replaced unit's
 * buffers stayed until the main thread's next full collection, which an exporter that only serves makes rarely
 * (V8 counts external memory only once 64 MB of it pile up): at 10,000 vaults the main thread held 2.8 MB more
 * after each refresh, 17 MB after six, and at 100,000 a replaced 28.6 MB body decided which of two RSS levels a
 * refresh ended on.
 *
 * Freeing a buffer that a pending write still reads would be a use-after-free, so an answer holds until its
 * response has closed (every write has completed or been cancelled with its socket), and a plain answer also
 * until zlib has read the last of it.
 */
export class BufferHold {
  private holders = 0;
  private isFreed = false;

  constructor(private readonly buffers: readonly ArrayBuffer[]) {}

  get freed(): boolean {
    return this.isFreed;
  }

  acquire(): void {
    // Their views would be empty: an answer would be cut short without a word.
    if (this.isFreed) throw new Error('the buffers of a replaced unit were asked for after they were freed');
    this.holders++;
  }

  release(): void {
    if (this.isFreed || --this.holders > 0) return;
    this.isFreed = true;
    // Detached at once: V8 frees the memory now, not at the next collection.
    for (const buffer of this.buffers) buffer.transfer(0);
  }
}

/** The holds of many units, taken and let go together: what one /metrics answer writes. */
export function holdAll(holds: readonly BufferHold[]): () => void {
  for (const hold of holds) hold.acquire();
  let released = false;
  return () => {
    if (released) return;
    released = true;
    for (const hold of holds) hold.release();
  };
}
