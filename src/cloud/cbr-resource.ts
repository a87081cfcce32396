import { FieldReader, GIB, isRecord } from './record-fields.js';

/** One element of a CBR vault's `resources` (ResourceResp): a server, disk or file system bound to it. */
export interface CbrResource {
  id: string;
  name: string;
  /** OS::Nova::Server, OS::Cinder::Volume, ...; '' when absent. */
  type: string;
  /** available, error, protecting, restoring, removing (the SDKs' list); '' when absent. */
  protectStatus: string;
  /** backup_count. */
  backupCount?: number;
  /** backup_size, GB. */
  backupSizeGb?: number;
  /** size: the resource's allocated capacity, GB. */
  sizeGb?: number;
}

/**
 * The resources of one vault, in API order. An element without a string id, or repeating one already read,
 * cannot be a series of its own: it is counted and skipped, and the other resources go on.
 */
export function readResources(list: readonly unknown[], read: FieldReader): CbrResource[] {
  const seen = new Set<string>();
  const resources: CbrResource[] = [];
  for (const raw of list) {
    if (!isRecord(raw) || typeof raw.id !== 'string' || raw.id === '' || seen.has(raw.id)) {
      read.invalid++;
      continue;
    }
    seen.add(raw.id);
    resources.push({
      id: raw.id,
      name: read.text(raw, 'name') ?? '',
      type: read.label(raw, 'type'),
      protectStatus: read.label(raw, 'protect_status'),
      backupCount: read.count(raw, 'backup_count'),
      backupSizeGb: read.count(raw, 'backup_size', GIB),
      sizeGb: read.count(raw, 'size', GIB),
    });
  }
  return resources;
}

/**
 * The values of the exported tag `keys`, in their order: '' where the vault has no such tag (an absent `tags`
 * is no tags, as the example response's `tags: []`; an absent value is the empty value the Tag table allows).
 * Undefined, and counted, when `tags` is not an array or holds an entry that is not `{key, value}` strings:
 * that entry could be one of the exported keys, so no value of this vault's can be told. A key listed twice
 * keeps its first value.
 */
export function readTagValues(raw: Record<string, unknown>, keys: readonly string[], read: FieldReader): string[] | undefined {
  const tags = raw.tags;
  if (tags === undefined || tags === null) return keys.map(() => '');
  if (!Array.isArray(tags)) {
    read.invalid++;
    return undefined;
  }
  const byKey = new Map<string, string>();
  let unreadable = 0;
  for (const tag of tags as unknown[]) {
    const value = isRecord(tag) ? (tag.value ?? '') : undefined;
    if (!isRecord(tag) || typeof tag.key !== 'string' || typeof value !== 'string') unreadable++;
    else if (!byKey.has(tag.key)) byKey.set(tag.key, value);
  }
  read.invalid += unreadable;
  return unreadable ? undefined : keys.map((key) => byKey.get(key) ?? '');
}
