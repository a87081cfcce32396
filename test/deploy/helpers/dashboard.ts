import { readFileSync } from 'node:fs';
import { DASHBOARD_FILE } from './paths.js';

export interface Target {
  refId: string;
  expr: string;
  datasource?: { type?: string; uid?: string };
  instant?: boolean;
  format?: string;
}
export interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  gridPos: { h: number; w: number; x: number; y: number };
  targets?: Target[];
  panels?: Panel[];
  transformations?: Array<{ id: string }>;
}
export interface Variable {
  name: string;
  type: string;
  query: string | { query: string };
  definition?: string;
  multi?: boolean;
  includeAll?: boolean;
  allValue?: string;
}
export interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: Variable[] };
}

export const loadDashboard = (): Dashboard => JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as Dashboard;

/** Every panel, rows' nested panels included. */
export function allPanels(dashboard: Dashboard): Panel[] {
  return dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
}

/** Panels that query Prometheus, with their targets. */
export function queryPanels(dashboard: Dashboard): Array<Panel & { targets: Target[] }> {
  return allPanels(dashboard).filter((p): p is Panel & { targets: Target[] } => p.type !== 'row' && (p.targets?.length ?? 0) > 0);
}

export const variableQuery = (v: Variable): string => (typeof v.query === 'string' ? v.query : v.query.query);

/** Grafana's built-in interval variables, as a panel of the last hour would get them. */
const BUILTINS: Record<string, string> = {
  __rate_interval: '1m',
  __interval: '15s',
  __range: '1h',
  __range_s: '3600',
};

/**
 * Replaces `$name` / `${name}` / `[[name]]` in `expr` by `values[name]` or a Grafana built-in.
 * An unknown variable is an error: a query must not use a variable the dashboard does not define.
 */
export function substitute(expr: string, values: Record<string, string>): string {
  return expr.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]/g, (whole, a?: string, b?: string, c?: string) => {
    const name = (a ?? b ?? c) as string;
    const value = values[name] ?? BUILTINS[name];
    if (value === undefined) throw new Error(`unknown variable ${whole} in: ${expr}`);
    return value;
  });
}

/** `label_values(selector, label)` → its parts (the forms this dashboard's variables use). */
export function parseLabelValues(query: string): { match: string; label: string } {
  const m = /^label_values\((.+),\s*(\w+)\)$/.exec(query.trim());
  if (!m) throw new Error(`not a label_values(selector, label) query: ${query}`);
  return { match: (m[1] as string).trim(), label: m[2] as string };
}
