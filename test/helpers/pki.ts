import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from './temp-dirs.js';

export type KeyType = 'ec' | 'rsa';

const NEW_KEY: Record<KeyType, string[]> = {
  ec: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'],
  rsa: ['-newkey', 'rsa:2048', '-nodes'],
};
const CA_EXTENSIONS = ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign'];
/** Every certificate is good for two days: no test outlives it, and none is left that anything trusts. */
const DAYS = '2';

/** Extensions (extfile syntax) of a server certificate for localhost and 127.0.0.1. */
export const SERVER_LOCALHOST = 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n';
/** Extensions (extfile syntax) of a client certificate. */
export const CLIENT_AUTH = 'extendedKeyUsage=clientAuth\n';

/** Throw-away keys and certificates, made by openssl in a temp dir of their own; a file NAME is at path(NAME). */
export class Pki {
  readonly dir = makeTempDir('pki');
  /** The certificate file of each CA made here. */
  private readonly caFiles = new Map<string, string>();

  path(name: string): string {
    return join(this.dir, name);
  }

  pem(name: string): Buffer {
    return readFileSync(this.path(name));
  }

  /** A CA: NAME.key and its self-signed `certFile` (NAME.crt). */
  ca(name: string, options: { cn?: string; key?: KeyType; certFile?: string } = {}): this {
    const certFile = options.certFile ?? `${name}.crt`;
    this.caFiles.set(name, certFile);
    return this.selfSigned(name, { ...options, certFile, addext: CA_EXTENSIONS });
  }

  /** A certificate that signs itself: NAME.key and `certFile` (NAME.pem), `addext` its -addext values. */
  selfSigned(name: string, options: { cn?: string; key?: KeyType; certFile?: string; addext: readonly string[] }): this {
    const { cn = name, key = 'ec', certFile = `${name}.pem`, addext } = options;
    this.openssl('req', '-x509', ...NEW_KEY[key], '-keyout', `${name}.key`, '-out', certFile, '-days', DAYS, '-subj', `/CN=${cn}`,
      ...addext.flatMap((value) => ['-addext', value]));
    return this;
  }

  /** NAME.key and NAME.crt signed by the CA `ca` (default "ca"), with `extensions` in extfile syntax. */
  leaf(name: string, options: { ca?: string; cn?: string; key?: KeyType; extensions: string }): this {
    const { ca = 'ca', cn = name, key = 'ec', extensions } = options;
    const caFile = this.caFiles.get(ca);
    if (!caFile) throw new Error(`no CA ${ca} made in ${this.dir}`);
    this.openssl('req', ...NEW_KEY[key], '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    this.write(`${name}.ext`, extensions);
    this.openssl('x509', '-req', '-in', `${name}.csr`, '-CA', caFile, '-CAkey', `${ca}.key`, '-CAcreateserial',
      '-out', `${name}.crt`, '-days', DAYS, '-extfile', `${name}.ext`);
    return this;
  }

  /** A P-256 key alone, as NAME. */
  key(name: string): this {
    this.openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', name);
    return this;
  }

  /** The key file `from`, encrypted (AES-256) with `passphrase`, as NAME. */
  encryptedKey(name: string, from: string, passphrase: string): this {
    this.openssl('pkey', '-in', from, '-aes256', '-passout', `pass:${passphrase}`, '-out', name);
    return this;
  }

  /** Writes `text` as NAME here; returns its path. */
  write(name: string, text: string | Buffer): string {
    writeFileSync(this.path(name), text);
    return this.path(name);
  }

  private openssl(...args: string[]): void {
    execFileSync('openssl', args, { cwd: this.dir, stdio: 'pipe' });
  }
}

/** A CA (ca.crt, CN test-ca) with a server certificate for localhost/127.0.0.1 (server.*) and a client one (client.*). */
export function makePki(): Pki {
  return new Pki().ca('ca', { cn: 'test-ca' }).leaf('server', { extensions: SERVER_LOCALHOST }).leaf('client', { extensions: CLIENT_AUTH });
}
