/**
 * Reading one field of an API record that may not match its documented shape. Each reader returns
 * undefined for a missing or mistyped value and tallies it, so that the mapping leaves the series out
 * (never a made-up 0) and the exporter can count what it could not use.
 */
/** The API's units, in bytes (GB is 2^30 bytes). */
export const GIB = 2 ** 30;
export const MIB = 2 ** 20;

/** 2^53: the largest a float64 holds with every integer below it exact. */
const MAX_EXACT = 2 ** 53;

export class FieldReader {
  invalid = 0;

  /**
   * A non-negative finite number (sizes and counts); strings that look like numbers are not numbers. `unit`
   * is what the exporter multiplies it by (2^30 for GB): a value beyond 2^53 after that is no exact number
   * and is counted invalid, never exported as an approximation or +Inf.
   */
  count(record: Record<string, unknown>, key: string, unit = 1): number | undefined {
    const value = record[key];
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0 && value * unit <= MAX_EXACT) return value;
    this.invalid++;
    return undefined;
  }

  /** A required string: missing or mistyped is counted. */
  text(record: Record<string, unknown>, key: string): string | undefined {
    const value = record[key];
    if (typeof value === 'string') return value;
    this.invalid++;
    return undefined;
  }

  /** An optional string whose absence means something: missing or null is '', a wrong type is undefined and counted. */
  optionalText(record: Record<string, unknown>, key: string): string | undefined {
    const value = record[key];
    if (typeof value === 'string') return value;
    if (value === undefined || value === null) return '';
    this.invalid++;
    return undefined;
  }

  /** An optional string (info labels): missing is '' and fine, a wrong type is '' and counted. */
  label(record: Record<string, unknown>, key: string): string {
    const value = record[key];
    if (typeof value === 'string') return value;
    if (value !== undefined && value !== null) this.invalid++;
    return '';
  }

  /** An optional boolean rendered as a label ("true"/"false"; '' when absent). */
  flag(record: Record<string, unknown>, key: string): string {
    const value = record[key];
    if (typeof value === 'boolean') return String(value);
    if (value !== undefined && value !== null) this.invalid++;
    return '';
  }

  /**
   * An optional number in [min, max] (a percentage): absent or null is undefined and fine (not every cloud sends
   * it); a wrong type or a value outside the range is undefined and counted.
   */
  optionalNumber(record: Record<string, unknown>, key: string, min: number, max: number): number | undefined {
    const value = record[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'number' && value >= min && value <= max) return value;
    this.invalid++;
    return undefined;
  }

  /** An optional boolean exported as 0/1: absent or null is undefined and fine, a wrong type undefined and counted. */
  optionalBoolean(record: Record<string, unknown>, key: string): boolean | undefined {
    const value = record[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'boolean') return value;
    this.invalid++;
    return undefined;
  }

  /**
   * An id label the API sends as a string, or (its own example: `"enterprise_project_id" : 0`) as a whole
   * number: read as its decimal text. Absent is ''; any other type is '' and counted.
   */
  idLabel(record: Record<string, unknown>, key: string): string {
    const value = record[key];
    if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
    return this.label(record, key);
  }

  /** An object field; anything else (null, array, scalar) is counted and read as empty. */
  object(record: Record<string, unknown>, key: string): Record<string, unknown> {
    const value = record[key];
    if (isRecord(value)) return value;
    this.invalid++;
    return {};
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
