import { configSchema, type Config } from './schema.js';
import { ConfigError, readYamlFile, schemaError } from './yaml-file.js';

export { ConfigError };

/** Checks a parsed YAML document against the schema; throws ConfigError naming the first problem. */
export function validateConfig(raw: unknown, origin: string): Config {
  if (raw === null || raw === undefined) throw new ConfigError(`${origin}: the file is empty`);
  const result = configSchema.safeParse(raw);
  if (!result.success) throw schemaError(origin, result.error);
  return result.data;
}

/** Reads and validates the config file at `path`. */
export function loadConfig(path: string): Config {
  return validateConfig(readYamlFile(path, 'config file'), path);
}
