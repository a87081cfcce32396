import { stat } from 'node:fs/promises';
import type { Credentials } from './request.js';
import { readSecretFile } from './secret-file.js';
import { setHeader } from './set-header.js';

interface ReadToken {
  token: string;
  /** Identity of the file version read; any change means a sidecar or Secret update rotated it. */
  version: string;
}

/**
 * An `X-Auth-Token` kept in a file that something else rotates. The file is stat'ed on each
 * authorize() and re-read when its inode, size or mtime changed.
 */
export function tokenFileCredentials(path: string): Credentials {
  let last: ReadToken | undefined;
  let rereadNext = false;

  async function currentToken(): Promise<string> {
    let version: string;
    try {
      const info = await stat(path);
      version = `${info.ino}:${info.size}:${info.mtimeMs}`;
    } catch (err) {
      throw new Error(`cannot read token_file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    if (!last || rereadNext || last.version !== version) {
      last = { token: await readSecretFile(path, 'token_file'), version };
      rereadNext = false;
    }
    return last.token;
  }

  return {
    async authorize(req) {
      setHeader(req.headers, 'X-Auth-Token', await currentToken());
    },
    renew() {
      // The token may have been rewritten within the mtime granularity: read it whatever stat says.
      rereadNext = true;
      return true;
    },
    async version() {
      await currentToken();
      return (last as ReadToken).version;
    },
    secrets: () => (last ? [last.token] : []),
  };
}
