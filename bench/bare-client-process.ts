/**
 * The bare client a refresh is held against: it fetches the pages a complete listing needs (each source until
 * its first short page, CBR's hybrid list too) from the same simulator, with the same number in flight on one
 * keep-alive host, and JSON.parses each body. Nothing else: no retries, no mapping, no rendering. The
 * simulator's own cost per page is in both figures. argv[2]: BareClientOptions; answers each {cmd:'list'}.
 */
import { Agent, request } from 'undici';
import type { BareClientOptions, BareClientReply } from './protocol.js';
import { VAULT_APIS } from '../src/cloud/vault-apis.js';

const options = JSON.parse(process.argv[2] ?? '') as BareClientOptions;
const agent = new Agent({ connections: options.concurrency, keepAliveTimeout: 30_000 });

/** Each source's pages up to and including its first short one (an empty one after full ones). */
function pageUrls(): string[] {
  const urls: string[] = [];
  const add = (path: string, limit: number, vaults: number, extra = '') => {
    for (let offset = 0; offset <= vaults; offset += limit) urls.push(`${options.simUrl}${path}?limit=${limit}&offset=${offset}${extra}`);
  };
  const project = (path: string) => path.replace('{project_id}', options.projectId);
  add(project(VAULT_APIS.cbr.facts.path), VAULT_APIS.cbr.facts.maxLimit, options.cbrVaults, '&cloud_type=public');
  add(project(VAULT_APIS.cbr.facts.path), VAULT_APIS.cbr.facts.maxLimit, 0, '&cloud_type=hybrid');
  add(project(VAULT_APIS.hss.facts.path), VAULT_APIS.hss.facts.maxLimit, options.hssVaults);
  return urls;
}

async function list(): Promise<number> {
  const queue = pageUrls();
  const started = performance.now();
  let records = 0;
  const worker = async () => {
    for (let url = queue.shift(); url !== undefined; url = queue.shift()) {
      const response = await request(url, { dispatcher: agent, headers: { 'x-auth-token': options.token } });
      if (response.statusCode !== 200) throw new Error(`${url}: HTTP ${response.statusCode}`);
      const body = JSON.parse(await response.body.text()) as Record<string, unknown>;
      records += ((body.vaults ?? body.data_list) as unknown[]).length;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const elapsed = performance.now() - started;
  if (records !== options.cbrVaults + options.hssVaults) throw new Error(`bare client read ${records} records, expected ${options.cbrVaults + options.hssVaults}`);
  return elapsed;
}

const reply = (message: BareClientReply) => process.send?.(message);
process.on('message', () => {
  list().then((ms) => reply({ type: 'listed', ms }), (err: unknown) => reply({ type: 'error', message: (err as Error).stack ?? String(err) }));
});
process.on('disconnect', () => process.exit(0));
