import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashSync } from '@node-rs/bcrypt';
import { describe, expect, it } from 'vitest';
import { loadWebConfig, type WebConfig } from '../../src/server/web-config.js';
import { watchWebConfig } from '../../src/server/web-config-watch.js';
import { makePki } from '../helpers/pki.js';

const pki = makePki();

const hash = hashSync('pw', 4);
const tls = 'tls_server_config:\n  cert_file: served.crt\n  key_file: served.key\n';
const users = (...names: string[]) => `basic_auth_users:\n${names.map((n) => `  ${n}: ${hash}\n`).join('')}`;

let fileCount = 0;
/** A web config file in the PKI directory, a clock we move by hand, and what the watch reported. */
function setup(yaml: string) {
  const path = join(pki.dir, `web-${++fileCount}.yml`);
  copyFileSync(join(pki.dir, 'server.crt'), join(pki.dir, 'served.crt'));
  copyFileSync(join(pki.dir, 'server.key'), join(pki.dir, 'served.key'));
  writeFileSync(path, yaml);
  let time = 0;
  const reloads: WebConfig[] = [];
  const rejections: string[] = [];
  const watch = watchWebConfig(loadWebConfig(path), { onReload: (c) => reloads.push(c), onRejected: (m) => rejections.push(m) }, { now: () => time });
  const later = () => {
    time += 1000;
    watch.check();
  };
  return { path, watch, reloads, rejections, later, tick: (ms: number) => (time += ms) };
}

describe('watchWebConfig', () => {
  it('names the config file and the PEM files it read', () => {
    const { path, watch } = setup(tls);
    expect(watch.current().files).toEqual([path, join(pki.dir, 'served.crt'), join(pki.dir, 'served.key')]);
  });

  it('applies a changed file, looking at most once per second', () => {
    const { path, watch, reloads, later, tick } = setup(users('alice'));
    writeFileSync(path, users('alice', 'bob'));
    tick(999);
    watch.check();
    expect(reloads).toHaveLength(0);
    later();
    expect(reloads).toHaveLength(1);
    expect([...watch.current().basicAuthUsers.keys()]).toEqual(['alice', 'bob']);
    later();
    expect(reloads).toHaveLength(1); // nothing changed since
  });

  it('follows a rotated certificate even when the config file itself is untouched', () => {
    const { watch, reloads, later } = setup(tls);
    const before = watch.current().tls?.cert;
    copyFileSync(join(pki.dir, 'client.crt'), join(pki.dir, 'served.crt'));
    copyFileSync(join(pki.dir, 'client.key'), join(pki.dir, 'served.key'));
    later();
    expect(reloads).toHaveLength(1);
    expect(watch.current().tls?.cert).not.toBe(before);
    expect(watch.current().tls?.cert).toBe(pki.pem('client.crt').toString());
  });

  it('keeps the running config on a bad change, says so once, and takes the fix', () => {
    const { path, watch, reloads, rejections, later } = setup(users('alice'));
    writeFileSync(path, 'basic_auth_users: [oops');
    later();
    later();
    expect(rejections).toEqual([expect.stringMatching(/^.*web-\d+\.yml: .*not valid YAML/)]);
    expect([...watch.current().basicAuthUsers.keys()]).toEqual(['alice']);
    writeFileSync(path, users('carol'));
    later();
    expect(reloads).toHaveLength(1);
    expect([...watch.current().basicAuthUsers.keys()]).toEqual(['carol']);
  });

  it('rejects a half-written key pair and loads it once both halves are there', () => {
    const { watch, rejections, reloads, later } = setup(tls);
    copyFileSync(join(pki.dir, 'client.key'), join(pki.dir, 'served.key'));
    later();
    expect(rejections).toEqual([expect.stringContaining('tls_server_config.key_file: does not match the certificate')]);
    copyFileSync(join(pki.dir, 'client.crt'), join(pki.dir, 'served.crt'));
    later();
    expect(reloads).toHaveLength(1);
    expect(watch.current().tls?.cert).toBe(pki.pem('client.crt').toString());
  });

  it('rejects what a running server cannot change (TLS on or off), and applies a changed client_auth_type', () => {
    const plain = setup(users('alice'));
    writeFileSync(plain.path, tls);
    plain.later();
    expect(plain.rejections).toEqual([`${plain.path}: switching TLS on needs a restart`]);
    expect(plain.watch.current().tls).toBeUndefined();

    const secured = setup(tls);
    writeFileSync(secured.path, `${tls}  client_auth_type: RequireAnyClientCert\n`);
    secured.later();
    expect(secured.rejections).toEqual([]);
    expect(secured.watch.current().tls?.clientAuth).toBe('RequireAnyClientCert');
  });
});
