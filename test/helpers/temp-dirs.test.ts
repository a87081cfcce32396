import { existsSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, writeTempFile } from './temp-dirs.js';

// Relies on test/setup/remove-temp-dirs.ts (vitest.config.ts setupFiles) and on the tests running in order.
describe('temp dirs', () => {
  let madeBeforeAll: string;
  let madeByTest: string[] = [];
  beforeAll(() => {
    madeBeforeAll = makeTempDir('check');
  });

  it('are made under a name that says whose they are', () => {
    madeByTest = [makeTempDir('check'), dirname(writeTempFile('a.yml', 'x: 1\n'))];
    for (const dir of madeByTest) expect(existsSync(dir)).toBe(true);
    expect(madeByTest[0]).toMatch(/\/hve-test-check-\w{6}$/);
    expect(readFileSync(`${madeByTest[1]}/a.yml`, 'utf8')).toBe('x: 1\n');
  });

  it("are gone after the test that made them; beforeAll's stay for the file's other tests", () => {
    expect(madeByTest).toHaveLength(2);
    for (const dir of madeByTest) expect(existsSync(dir), dir).toBe(false);
    expect(existsSync(madeBeforeAll)).toBe(true);
  });
});
