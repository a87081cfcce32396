import { z } from 'zod';
import { httpUrl } from './http-url.js';
import cron from 'node-cron';
import { authSchema } from './auth.js';
import { parseByteSize } from './byte-size.js';
import { CLOUD_NAMES, DEFAULT_CLOUD, type CloudName, type CloudSpec } from './clouds.js';
import { parseDuration } from './duration.js';
import { resolveDiscovery } from './discover.js';
import { labelsSchema } from './labels.js';
import { checkShard, type Shard } from './shard.js';
import { SOURCES, type Source } from './sources.js';
import { resolveTargets } from './targets.js';


const duration = z
  .string()
  .refine((text) => parseDuration(text) !== undefined, {
    message: 'not a Prometheus duration (examples: 30s, 2m, 1h30m)',
  })
  .transform((text) => parseDuration(text) as number);

const positiveDuration = duration.refine((ms) => ms > 0, { message: 'must be longer than 0s' });

const byteSize = z
  .union([z.string(), z.number()])
  .refine((value) => (parseByteSize(value) ?? 0) >= 1024, { message: 'not a size of at least 1KiB (examples: 32MiB, 512KB, 1GB)' })
  .transform((value) => parseByteSize(value) as number);

const cronExpression = z.string().refine((expr) => {
  const fields = expr.trim().split(/\s+/).length;
  return (fields === 5 || fields === 6) && cron.validate(expr);
}, { message: 'not a valid cron expression (5 or 6 fields, as node-cron reads them)' });

/** `cloud: otc`, or `cloud: { domain: stack.example.com, iam: https://... }` for Huawei Cloud Stack. */
const cloud = z.union(
  [
    z.enum(CLOUD_NAMES as [CloudName, ...CloudName[]]).transform((preset): CloudSpec => ({ preset })),
    z
      .strictObject({
        domain: z.string().regex(/^[a-z0-9.-]+(:\d{1,5})?$/i, { message: 'not a domain such as stack.example.com (a port may follow)' }),
        iam: httpUrl.optional(),
      })
      .transform((stack): CloudSpec => (stack.iam ? { domain: stack.domain, iam: stack.iam } : { domain: stack.domain })),
  ],
  { error: () => `not one of ${CLOUD_NAMES.join(', ')}, nor { domain, iam } for Huawei Cloud Stack` },
);

/** What a target and a discover entry both say about the projects they cover. */
const targetKeys = {
  /** Default: every source the cloud publishes. */
  sources: z
    .array(z.enum(SOURCES))
    .min(1)
    .refine((list) => new Set(list).size === list.length, { message: 'lists a source twice' })
    .optional(),
  cloud: cloud.optional(),
  endpoints: z
    .strictObject({ ...Object.fromEntries(SOURCES.map((source) => [source, httpUrl.optional()])), iam: httpUrl.optional() } as Record<Source | 'iam', z.ZodOptional<typeof httpUrl>>)
    .default({}),
  /** Sent to CBR as enterprise_project_id (an id or all_granted_eps); HSS takes none. */
  enterprise_project_id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { message: 'not an enterprise project id (a UUID, 0, or all_granted_eps)' }).optional(),
  auth: authSchema.optional(),
  /** Added to every series of the target(s). */
  labels: labelsSchema.default({}),
};

const target = z.strictObject({
  project_id: z.string().min(1).max(256),
  region: z.string().regex(/^[a-z0-9-]+$/, { message: 'not a region name such as ap-southeast-1' }),
  ...targetKeys,
});

/** A region name or a glob of them (`*`, `?`). */
const regionGlob = z.string().regex(/^[a-z0-9*?-]+$/, { message: 'not a region name or glob such as ap-* or eu-west-101' });

/** One account whose projects are found through IAM rather than listed. */
const discoverEntry = z.strictObject({
  ...targetKeys,
  /** Default: every region. */
  regions: z.array(regionGlob).min(1).optional(),
  exclude_regions: z.array(regionGlob).default([]),
  interval: positiveDuration.default(3_600_000),
});

const refresh = z.strictObject({
  schedule: cronExpression.default('*/5 * * * *'),
  /** A refresh of all pairs that runs longer than this is abandoned. */
  timeout: positiveDuration.default(120_000),
  /** Deadline of one HTTP attempt. */
  request_timeout: positiveDuration.default(30_000),
  /** Retries of one request after a retryable failure (5xx, reset, timeout, bad body); 429 waits are bounded by timeout. */
  max_retries: z.number().int().min(0).max(10).default(3),
  /** Requests in flight per API host. */
  concurrency: z.number().int().min(1).max(64).default(4),
  /** (target, source) pairs refreshed at once. */
  parallel_pairs: z.number().int().min(1).max(256).default(8),
  /** How long a failed pair keeps serving its last snapshot; default 3 × the schedule's longest gap. */
  max_staleness: positiveDuration.optional(),
  /** A response body larger than this is refused while it streams (a full CBR page is about 1.2 MB). */
  body_size_limit: byteSize.default(32 * 2 ** 20),
});

/**
 * A CBR tag key as the API has it: keys are compared exactly, and the API trims surrounding spaces and refuses
 * control characters, so a key with either could never match.
 */
const tagKey = z
  .string()
  .min(1, { message: 'an empty tag key matches no tag' })
  .max(128)
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused here
  .refine((key) => key === key.trim() && !/[\u0000-\u001f]/.test(key), { message: 'not a tag key (no surrounding spaces or control characters)' });

/** What is exported beyond the base metric contract; everything off by default (docs/configuration.md#export). */
const exported = z.strictObject({
  /** CBR tag keys carried as `tag_<key>` labels of huaweicloud_cbr_vault_tags; none: the family is off. */
  tags: z
    .array(tagKey)
    .refine((keys) => new Set(keys).size === keys.length, { message: 'lists a tag key twice' })
    .default([]),
  /** One series per resource bound to a CBR vault (huaweicloud_cbr_vault_resource_*). */
  resources: z.boolean().default(false),
});

const shard = z
  .strictObject({ index: z.number().int().min(0), total: z.number().int().min(1) })
  .transform((raw, ctx): Shard => {
    const checked = checkShard(raw.index, raw.total);
    if (typeof checked === 'string') {
      ctx.addIssue({ code: 'custom', message: checked });
      return z.NEVER;
    }
    return checked;
  });

// Its shape for the other layers, without zod (the refresh worker loads no schema): export-config.ts.
export { BASE_EXPORT, type ExportConfig } from './export-config.js';

export const configSchema = z
  .strictObject({
    refresh: refresh.default(() => refresh.parse({})),
    /** The cloud of every target that names none. */
    cloud: cloud.default({ preset: DEFAULT_CLOUD }),
    auth: authSchema.optional(),
    tls: z.strictObject({ ca_file: z.string().min(1).optional() }).default({}),
    targets: z.array(target).default([]),
    /** Accounts whose projects IAM lists. */
    discover: z.array(discoverEntry).default([]),
    /** This replica's part of the targets (--shard overrides it). */
    shard: shard.optional(),
    export: exported.default(() => exported.parse({})),
  })
  .transform((raw, ctx) => {
    if (raw.targets.length === 0 && raw.discover.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['targets'], message: 'needs at least one target, or a discover: entry' });
    }
    return { ...raw, targets: resolveTargets(raw.targets, raw.cloud, ctx), discover: resolveDiscovery(raw.discover, raw.cloud, ctx) };
  });

export type RawTarget = z.output<typeof target>;
export type RawDiscoverEntry = z.output<typeof discoverEntry>;
export type Config = z.output<typeof configSchema>;
export type TargetConfig = Config['targets'][number];
