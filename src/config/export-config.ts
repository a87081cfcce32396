/** The `export:` block as the cloud and metrics layers read it (its schema is in schema.ts). */
export interface ExportConfig {
  readonly tags: readonly string[];
  readonly resources: boolean;
}

/** Nothing beyond the base contract: the `export:` block's defaults. */
export const BASE_EXPORT: ExportConfig = { tags: [], resources: false };
