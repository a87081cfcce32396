// --shard assigns a project as Prometheus's own hashmod relabelling does: a real Prometheus, given the same
// project ids, keeps exactly the targets the exporter's shard serves.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { servesProject } from '../../src/config/shard.js';
import { get } from '../helpers/http.js';
import { freePort, TestProcess } from '../helpers/process.js';
import { makeTempDir } from '../helpers/temp-dirs.js';
import { waitFor } from '../helpers/wait-for.js';
import { skipWithout } from '../deploy/helpers/tools.js';

const TOTAL = 3;
const INDEX = 1;
// Project ids as Huawei Cloud writes them: 32 hex digits.
const PROJECTS = Array.from({ length: 120 }, () => randomBytes(16).toString('hex'));

describe.skipIf(skipWithout('prometheus'))('--shard and Prometheus hashmod', () => {
  let prometheus: TestProcess | undefined;
  // Stopped before the test's temp dir (its TSDB) is removed after it.
  afterEach(async () => {
    await prometheus?.stop();
  });

  it('keep the same projects', async () => {
    const scratch = makeTempDir('hashmod');
    writeFileSync(
      join(scratch, 'prometheus.yml'),
      stringify({
        scrape_configs: [
          {
            job_name: 'shard',
            scrape_interval: '1h',
            // Nothing listens there: only relabelling is looked at.
            static_configs: PROJECTS.map((project_id) => ({ targets: ['127.0.0.1:9'], labels: { project_id } })),
            relabel_configs: [
              { source_labels: ['project_id'], modulus: TOTAL, target_label: '__tmp_shard', action: 'hashmod' },
              { source_labels: ['__tmp_shard'], regex: String(INDEX), action: 'keep' },
            ],
          },
        ],
      }),
    );
    const port = await freePort();
    prometheus = new TestProcess('prometheus', 'prometheus', [
      `--config.file=${join(scratch, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(scratch, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ]);
    const kept = await waitFor(
      'Prometheus to load its targets',
      async () => {
        const { status, body } = await get(`http://127.0.0.1:${port}/api/v1/targets?state=active`);
        if (status !== 200) return undefined;
        const active = (JSON.parse(body) as { data: { activeTargets: { labels: Record<string, string> }[] } }).data.activeTargets;
        return active.length > 0 ? active.map((t) => t.labels.project_id) : undefined;
      },
      { timeoutMs: 30_000, daemons: [prometheus] },
    );
    const ours = PROJECTS.filter((id) => servesProject({ index: INDEX, total: TOTAL }, id));
    expect(ours.length).toBeGreaterThan(20);
    expect([...kept].sort()).toEqual([...ours].sort());
  });
});
