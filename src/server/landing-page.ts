import type { PairStatus } from '../collect/snapshot.js';

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

/** The small page at `/`, as node_exporter has: a link to the metrics and the state of each source. */
export function landingPage(options: { version: string; telemetryPath: string; statuses: readonly PairStatus[] }): string {
  const rows = options.statuses
    .map((s) => {
      const last = s.lastSuccess === undefined ? 'never' : new Date(s.lastSuccess).toISOString();
      const state = !s.attempted ? 'pending' : s.up ? 'up' : 'down';
      const error = s.lastError ? escapeHtml(s.lastError) : '';
      return `<tr><td>${escapeHtml(s.pair.source)}</td><td>${escapeHtml(s.pair.projectId)}</td><td>${escapeHtml(s.pair.region)}</td><td>${state}</td><td>${s.snapshot?.vaults ?? 0}</td><td>${last}</td><td>${error}</td></tr>`;
    })
    .join('\n');
  const path = escapeHtml(options.telemetryPath);
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Huawei Cloud Vault Exporter</title></head>
<body>
<h1>Huawei Cloud Vault Exporter</h1>
<p>Version ${escapeHtml(options.version)}. Metrics: <a href="${path}">${path}</a>. Health: <a href="-/healthy">-/healthy</a>, <a href="-/ready">-/ready</a>.</p>
<table border="1" cellpadding="4">
<tr><th>source</th><th>project_id</th><th>region</th><th>state</th><th>vaults</th><th>last success</th><th>last error</th></tr>
${rows}
</table>
</body>
</html>
`;
}
