import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../config/config-error.js';
import { loadWebConfig, type WebConfig } from './web-config.js';

export interface WebConfigChanges {
  /** A changed file was loaded and is now in force. */
  onReload(next: WebConfig): void;
  /** A changed file could not be used; the running web config stays. One call per distinct change. */
  onRejected(message: string): void;
}

export interface WebConfigWatch {
  /** The web config in force. */
  current(): WebConfig;
  /**
   * Re-reads the file when it, or a certificate, key or CA file it names, changed since the last look.
   * Cheap enough to call per connection and per request: it looks at the files at most once per interval.
   */
  check(): void;
}

/**
 * A digest of the files' contents: they are a few kilobytes read once a second at most, and unlike mtime
 * it cannot miss a same-size rewrite within the file system's timestamp granularity. A file that cannot be
 * read counts by its error code, so that its return is a change too.
 */
function fingerprint(files: readonly string[]): string {
  const digest = createHash('sha256');
  for (const file of files) {
    try {
      digest.update(readFileSync(file)); // follows symlinks: a Kubernetes secret swaps ..data, not the file
    } catch (err) {
      digest.update(`unreadable:${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    digest.update('\0');
  }
  return digest.digest('base64');
}

/**
 * Why `next` cannot replace `running` on a live server, if it cannot: the listener is HTTPS or not from the
 * start (as in exporter-toolkit). Everything else, client_auth_type included, applies to the next connection.
 */
function needsRestart(running: WebConfig, next: WebConfig): string | undefined {
  if (Boolean(running.tls) !== Boolean(next.tls)) return `switching TLS ${next.tls ? 'on' : 'off'} needs a restart`;
  return undefined;
}

/**
 * Follows a `--web.config.file` as exporter-toolkit does (it re-reads the file per request), so that
 * certificates rotated by cert-manager or a sidecar, and changed basic auth users, apply without a restart.
 * A file that fails validation is rejected with one message and the running config stays.
 */
export function watchWebConfig(initial: WebConfig, changes: WebConfigChanges, options: { intervalMs?: number; now?: () => number } = {}): WebConfigWatch {
  const intervalMs = options.intervalMs ?? 1000;
  const now = options.now ?? Date.now;
  let running = initial;
  let seen = fingerprint(initial.files);
  let lastLook = now();

  return {
    current: () => running,
    check() {
      const time = now();
      if (time - lastLook < intervalMs) return;
      lastLook = time;
      const print = fingerprint(running.files);
      if (print === seen) return;
      seen = print;
      let next: WebConfig;
      try {
        next = loadWebConfig(running.origin);
      } catch (err) {
        changes.onRejected(err instanceof ConfigError ? err.message : `${running.origin}: ${(err as Error).message}`);
        return;
      }
      const problem = needsRestart(running, next);
      if (problem) return changes.onRejected(`${running.origin}: ${problem}`);
      // A change made while loading shows up at the next look and loads again; nothing is missed.
      if (next.files.join('|') !== running.files.join('|')) seen = fingerprint(next.files);
      running = next;
      changes.onReload(next);
    },
  };
}
