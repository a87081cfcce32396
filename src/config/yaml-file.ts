import { readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from './config-error.js';

export { ConfigError };

/** Reads a YAML file (`what` names it in errors: "config file", "web config file"); ConfigError when it cannot. */
export function readYamlFile(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`${path}: cannot read the ${what} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  try {
    return parseYaml(text);
  } catch (err) {
    if (!(err instanceof YAMLParseError)) throw new ConfigError(`${path}: not valid YAML: ${String(err)}`);
    // The pretty message ends its first line with " at line L, column C:"; say where before what.
    const detail = (err.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    const where = err.linePos ? `line ${err.linePos[0].line}, column ${err.linePos[0].col}: ` : '';
    throw new ConfigError(`${path}: not valid YAML: ${where}${detail}`);
  }
}

function pathOf(path: readonly PropertyKey[]): string {
  return path.map((key, i) => (typeof key === 'number' ? `[${key}]` : i ? `.${String(key)}` : String(key))).join('') || '(top level)';
}

/** One schema problem as `key.path: problem`. */
export function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    const where = issue.path.length ? `${pathOf(issue.path)}: ` : '';
    return `${where}unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  }
  if (issue.code === 'invalid_union' && issue.message === 'Invalid input') {
    return `${pathOf(issue.path)}: does not match any accepted form`;
  }
  return `${pathOf(issue.path)}: ${issue.message}`;
}

/** The ConfigError for a failed schema check: the first problem, and how many more there are. */
export function schemaError(origin: string, error: z.ZodError): ConfigError {
  const [first] = error.issues;
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more)` : '';
  return new ConfigError(`${origin}: ${first ? describeIssue(first) : 'invalid'}${more}`);
}
