import { credentialsFromEnv, type AuthConfig } from './auth.js';
import { ConfigError } from './load.js';
import type { Config } from './schema.js';

/**
 * The credentials each target uses: its own `auth:`, else the global one, else AK/SK from the
 * HUAWEICLOUD_SDK_* environment variables. Throws ConfigError when a target is left with none.
 */
export function authForTargets(config: Config, env: NodeJS.ProcessEnv, origin: string): AuthConfig[] {
  let fromEnv: AuthConfig | undefined;
  try {
    fromEnv = credentialsFromEnv(env);
  } catch (err) {
    throw new ConfigError(`environment: ${(err as Error).message}`);
  }
  return config.targets.map((target, i) => {
    const auth = target.auth ?? config.auth ?? fromEnv;
    if (!auth) {
      throw new ConfigError(
        `${origin}: targets[${i}]: no credentials: set auth (globally or on the target) or the HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK environment variables`,
      );
    }
    return auth;
  });
}
