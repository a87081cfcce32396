import { createRequire } from 'node:module';

/**
 * node:http, required rather than imported: an ESM import of a builtin reads every export to make its named
 * ones, and Node 24's node:http has lazy WebSocket, CloseEvent and MessageEvent getters that load its bundled
 * undici (770 KB of source, and its compiled code) on first read. In a process of its own that is 14 MB of RSS
 * (61 against 47 MB); nothing here uses them. Types come from `import type`, which loads nothing.
 */
export const { createServer } = createRequire(import.meta.url)('node:http') as typeof import('node:http');
