// The names this module had before test/helpers/process.ts: kept for e2e tests written against them on other
// branches. New code imports from process.ts, http.ts and temp-dirs.ts.
export { startDaemon, type DaemonProcess } from './process.js';
export { waitFor200 } from './http.js';
export { writeTempFile } from './temp-dirs.js';
