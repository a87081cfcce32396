import { z } from 'zod';

/**
 * The `auth:` block. Exactly one credential mode per block; the modes are told apart by their keys.
 * A `*_file` key names a file whose trimmed content is the secret (for Kubernetes Secrets and sidecars).
 */
const tokenAuth = z.strictObject({ token: z.string().min(1) });
const tokenFileAuth = z.strictObject({ token_file: z.string().min(1) });

export const authSchema = z.union([tokenAuth, tokenFileAuth]);

export type AuthConfig = z.infer<typeof authSchema>;
