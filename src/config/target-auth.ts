import { credentialsFromEnv, type AuthConfig } from './auth.js';
import { ConfigError } from './load.js';
import type { Config } from './schema.js';

function envCredentials(env: NodeJS.ProcessEnv): AuthConfig | undefined {
  try {
    return credentialsFromEnv(env);
  } catch (err) {
    throw new ConfigError(`environment: ${(err as Error).message}`);
  }
}

/** Its own `auth:`, else the global one, else the environment's; ConfigError naming `where` when there is none. */
function authOf(own: AuthConfig | undefined, config: Config, fromEnv: AuthConfig | undefined, origin: string, where: string): AuthConfig {
  const auth = own ?? config.auth ?? fromEnv;
  if (!auth) {
    throw new ConfigError(
      `${origin}: ${where}: no credentials: set auth (globally or on the ${where.startsWith('discover') ? 'entry' : 'target'}) or the HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK environment variables`,
    );
  }
  return auth;
}

/**
 * The credentials each target uses: its own `auth:`, else the global one, else AK/SK from the
 * HUAWEICLOUD_SDK_* environment variables. Throws ConfigError when a target is left with none.
 */
export function authForTargets(config: Config, env: NodeJS.ProcessEnv, origin: string): AuthConfig[] {
  const fromEnv = envCredentials(env);
  return config.targets.map((target, i) => authOf(target.auth, config, fromEnv, origin, `targets[${i}]`));
}

/** The credentials each `discover:` entry lists its account's projects with (and its targets then use), as for targets. */
export function authForDiscovery(config: Config, env: NodeJS.ProcessEnv, origin: string): AuthConfig[] {
  const fromEnv = envCredentials(env);
  return config.discover.map((entry) => authOf(entry.settings.auth, config, fromEnv, origin, `discover[${entry.index}]`));
}

/** A loaded config and the credentials of its targets and discover entries, index by index. */
export interface LoadedConfig {
  config: Config;
  auths: AuthConfig[];
  discoveryAuths: AuthConfig[];
}

export function withCredentials(config: Config, env: NodeJS.ProcessEnv, origin: string): LoadedConfig {
  return { config, auths: authForTargets(config, env, origin), discoveryAuths: authForDiscovery(config, env, origin) };
}
