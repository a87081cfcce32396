import { readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { configSchema, type Config } from './schema.js';

/** A user mistake in the config: its message is one line that names the key and the problem. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

function pathOf(path: PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out ? `.${String(key)}` : String(key);
  return out || '(top level)';
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    const where = issue.path.length ? `${pathOf(issue.path)}: ` : '';
    return `${where}unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  }
  if (issue.code === 'invalid_union') {
    return `${pathOf(issue.path)}: ${issue.message === 'Invalid input' ? 'does not match any accepted form' : issue.message}`;
  }
  return `${pathOf(issue.path)}: ${issue.message}`;
}

/** Checks a parsed YAML document against the schema; throws ConfigError naming the first problem. */
export function validateConfig(raw: unknown, origin: string): Config {
  if (raw === null || raw === undefined) throw new ConfigError(`${origin}: the file is empty`);
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const first = result.error.issues[0];
    const more = result.error.issues.length > 1 ? ` (and ${result.error.issues.length - 1} more)` : '';
    throw new ConfigError(`${origin}: ${first ? describeIssue(first) : 'invalid'}${more}`);
  }
  return result.data;
}

/** Reads and validates the config file at `path`. */
export function loadConfig(path: string): Config {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`${path}: cannot read the config file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text, { prettyErrors: false });
  } catch (err) {
    const detail = err instanceof YAMLParseError ? err.message.split('\n')[0] : String(err);
    throw new ConfigError(`${path}: not valid YAML: ${detail}`);
  }
  return validateConfig(raw, path);
}
