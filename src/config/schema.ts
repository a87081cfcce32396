import { z } from 'zod';
import { httpUrl } from './http-url.js';
import cron from 'node-cron';
import { authSchema } from './auth.js';
import { parseDuration } from './duration.js';

export const SOURCES = ['cbr', 'hss'] as const;
export type Source = (typeof SOURCES)[number];

const duration = z
  .string()
  .refine((text) => parseDuration(text) !== undefined, {
    message: 'not a Prometheus duration (examples: 30s, 2m, 1h30m)',
  })
  .transform((text) => parseDuration(text) as number);

const positiveDuration = duration.refine((ms) => ms > 0, { message: 'must be longer than 0s' });

const cronExpression = z.string().refine((expr) => {
  const fields = expr.trim().split(/\s+/).length;
  return (fields === 5 || fields === 6) && cron.validate(expr);
}, { message: 'not a valid cron expression (5 or 6 fields, as node-cron reads them)' });

const target = z.strictObject({
  project_id: z.string().min(1).max(256),
  region: z.string().regex(/^[a-z0-9-]+$/, { message: 'not a region name such as ap-southeast-1' }),
  sources: z
    .array(z.enum(SOURCES))
    .min(1)
    .refine((list) => new Set(list).size === list.length, { message: 'lists a source twice' })
    .default([...SOURCES]),
  endpoints: z
    .strictObject({ cbr: httpUrl.optional(), hss: httpUrl.optional(), iam: httpUrl.optional() })
    .default({}),
  auth: authSchema.optional(),
});

const refresh = z.strictObject({
  schedule: cronExpression.default('*/5 * * * *'),
  /** A refresh of all pairs that runs longer than this is abandoned. */
  timeout: positiveDuration.default(120_000),
  /** Deadline of one HTTP attempt. */
  request_timeout: positiveDuration.default(30_000),
  /** Retries of one request after a retryable failure (429, 5xx, reset, timeout, bad body). */
  max_retries: z.number().int().min(0).max(10).default(3),
  /** Requests in flight per API host. */
  concurrency: z.number().int().min(1).max(64).default(4),
  /** (target, source) pairs refreshed at once. */
  parallel_pairs: z.number().int().min(1).max(256).default(8),
  /** How long a failed pair keeps serving its last snapshot; default 3 × the schedule's longest gap. */
  max_staleness: positiveDuration.optional(),
});

export const configSchema = z.strictObject({
  refresh: refresh.default(() => refresh.parse({})),
  auth: authSchema.optional(),
  tls: z.strictObject({ ca_file: z.string().min(1).optional() }).default({}),
  targets: z.array(target).min(1, { message: 'needs at least one target' }),
});

export type Config = z.infer<typeof configSchema>;
export type TargetConfig = Config['targets'][number];
