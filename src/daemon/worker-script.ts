/**
 * A worker thread's script (`name`, a module of this directory): beside this module once built. Tests run the
 * sources, whose worker would be TypeScript that a worker thread cannot load, so there it is the built copy
 * (`npm test` builds first).
 */
export function workerScript(name: string): URL {
  const here = import.meta.url;
  return here.endsWith('.ts') ? new URL(`../../dist/src/daemon/${name}`, here) : new URL(`./${name}`, here);
}
