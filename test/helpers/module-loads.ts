// Which modules a process of the exporter loads, in every thread, read from its own output.

const LOADED = 'loaded ';

/**
 * A node flag (`--import` of a module hook) that prints `loaded <path>` on stderr for each module the process
 * loads whose URL contains `fragment`; the path is what follows the fragment. Every thread runs the hook;
 * with `mainThreadOnly`, only the main thread's loads are printed.
 */
export function moduleLoadsHook(fragment: string, { mainThreadOnly = false } = {}): string {
  const hook =
    `import { registerHooks } from "node:module"; import { isMainThread } from "node:worker_threads"; const fragment = ${JSON.stringify(fragment)}; ` +
    `const printed = ${mainThreadOnly ? 'isMainThread' : 'true'}; ` +
    'if (printed) registerHooks({ load(url, context, next) { const at = url.indexOf(fragment); ' +
    `if (at >= 0) process.stderr.write(${JSON.stringify(LOADED)} + url.slice(at + fragment.length) + "\\n"); return next(url, context); } });`;
  return `--import=data:text/javascript,${encodeURIComponent(hook)}`;
}

/** Whether `line` is one the hook printed. */
export const isModuleLoad = (line: string): boolean => line.startsWith(LOADED);

/** The paths the hook printed among `lines`, in the order they were loaded. */
export function loadedModules(lines: readonly string[]): string[] {
  return lines.filter(isModuleLoad).map((line) => line.slice(LOADED.length));
}

/** Of the paths a `/node_modules/` hook printed, the config file's schema (zod) and YAML parser (yaml). */
export function configParserModules(lines: readonly string[]): string[] {
  return loadedModules(lines).filter((m) => m.startsWith('zod/') || m.startsWith('yaml/'));
}
