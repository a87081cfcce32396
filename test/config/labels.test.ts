import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load.js';
import { EXPORTER_LABELS, labelNameProblem, RESERVED_LABEL_PREFIXES } from '../../src/config/labels.js';
import { createExporterMetrics } from '../../src/metrics/exporter-metrics.js';
import { configErrorOf } from '../helpers/config-error.js';
import { GOLDEN_FILE } from '../helpers/golden.js';
import { parseExposition } from '../helpers/parse-exposition.js';

const target = { project_id: 'p', region: 'ap-southeast-1' };
const reserved = (name: string) => (EXPORTER_LABELS as readonly string[]).includes(name) || RESERVED_LABEL_PREFIXES.some((p) => name.startsWith(p));

describe('extra labels', () => {
  it('reserves every label the exporter writes on vault series and on its own series', async () => {
    const metrics = createExporterMetrics('test');
    metrics.countRequest({ source: 'cbr', project_id: 'p', region: 'r' }, '200');
    metrics.configLoaded(true);
    const own = parseExposition(await metrics.registry.metrics()).filter((s) => !/^(process|nodejs)_/.test(s.name));
    const golden = parseExposition(readFileSync(GOLDEN_FILE, 'utf8'));
    const written = new Set([...golden, ...own].flatMap((sample) => Object.keys(sample.labels)));
    expect(written.size).toBeGreaterThan(15);
    expect([...written].filter((name) => !reserved(name))).toEqual([]);
  });

  it('accepts labels on targets and discover entries', () => {
    const config = validateConfig(
      { auth: { token: 't' }, targets: [{ ...target, labels: { account: 'prod', team_2: 'backup ops' } }], discover: [{ labels: { account: 'dev' } }] },
      'x',
    );
    expect(config.targets[0]!.labels).toEqual({ account: 'prod', team_2: 'backup ops' });
    expect(config.discover[0]!.settings.labels).toEqual({ account: 'dev' });
  });

  it.each([
    ['project_id', 'x: targets[0].labels.project_id: the exporter writes this label itself'],
    ['vault_name', 'x: targets[0].labels.vault_name: the exporter writes this label itself'],
    ['status', 'x: targets[0].labels.status: the exporter writes this label itself'],
    ['tag_env', 'x: targets[0].labels.tag_env: names starting with tag_ are reserved for vault tags'],
    ['__name__', 'x: targets[0].labels.__name__: names starting with __ are reserved by Prometheus'],
    ['instance', 'x: targets[0].labels.instance: Prometheus sets this label on every scraped series'],
    ['2fa', 'x: targets[0].labels.2fa: not a Prometheus label name (letters, digits and _, not starting with a digit)'],
    ['team-a', 'x: targets[0].labels.team-a: not a Prometheus label name (letters, digits and _, not starting with a digit)'],
  ])('refuses the label name %s with one line', (name, message) => {
    expect(configErrorOf(() => validateConfig({ auth: { token: 't' }, targets: [{ ...target, labels: { [name]: 'v' } }] }, 'x'))).toBe(message);
  });

  it('refuses empty and non-string values, on discover entries too', () => {
    expect(configErrorOf(() => validateConfig({ auth: { token: 't' }, discover: [{ labels: { account: '' } }] }, 'x'))).toBe(
      'x: discover[0].labels.account: an empty value is no label (Prometheus drops it)',
    );
    expect(configErrorOf(() => validateConfig({ auth: { token: 't' }, targets: [{ ...target, labels: { account: 7 } }] }, 'x'))).toMatch(
      /^x: targets\[0\]\.labels\.account: Invalid input: expected string, received number$/,
    );
    expect(labelNameProblem('account')).toBeUndefined();
  });
});
