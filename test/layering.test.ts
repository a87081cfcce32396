import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Data flows one way: a module imports only from modules to its left. */
const ORDER = ['config', 'cloud', 'collect', 'metrics', 'server'];
const SRC = new URL('../src/', import.meta.url).pathname;

describe('module layering', () => {
  it('has no import from a module to the right, nor from the daemon or the simulator', () => {
    const wrong: string[] = [];
    for (const module of ORDER) {
      for (const file of readdirSync(join(SRC, module)).filter((name) => name.endsWith('.ts'))) {
        for (const [, target] of readFileSync(join(SRC, module, file), 'utf8').matchAll(/from '\.\.\/([a-z-]+)[/.]/g)) {
          const rightward = ORDER.includes(target!) && ORDER.indexOf(target!) > ORDER.indexOf(module);
          if (rightward || target === 'daemon' || target === 'sim') wrong.push(`${module}/${file} imports ${target}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });
});
