/** A user mistake in a config file: its message is one line that names the key and the problem. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
