import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The directories this test file made, for test/setup/remove-temp-dirs.ts to remove. Vitest gives every
// test file its own copy of this module, so the list is the file's.
const made: { dir: string; test: boolean }[] = [];
let inTest = false;

/** A new directory under the system's temp dir, removed after the test that made it (or after the file). */
export function makeTempDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `hve-test-${name}-`));
  made.push({ dir, test: inTest });
  return dir;
}

/** `text` in a file called `name`, in a temp dir of its own. */
export function writeTempFile(name: string, text: string): string {
  const path = join(makeTempDir('file'), name);
  writeFileSync(path, text);
  return path;
}

/** From now until testEnded(), what makeTempDir makes belongs to the test running. */
export function testStarted(): void {
  inTest = true;
}

/** Removes the directories the test made; those made outside a test (beforeAll, the file's body) stay. */
export function testEnded(): void {
  inTest = false;
  remove((entry) => entry.test);
}

/** Removes every directory left. */
export function fileEnded(): void {
  remove(() => true);
}

function remove(which: (entry: { test: boolean }) => boolean): void {
  for (let i = made.length - 1; i >= 0; i--) {
    const entry = made[i]!;
    if (!which(entry)) continue;
    rmSync(entry.dir, { recursive: true, force: true });
    made.splice(i, 1);
  }
}
