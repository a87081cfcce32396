// Every test file's temp dirs (test/helpers/temp-dirs.ts) are removed: a test's after it, the rest after the file.
// Registered before the file's own hooks, so these run after them (vitest runs "after" hooks as a stack):
// a process a test stops in its afterEach is stopped before its files go.
import { afterAll, afterEach, beforeEach } from 'vitest';
import { fileEnded, testEnded, testStarted } from '../helpers/temp-dirs.js';

beforeEach(testStarted);
afterEach(testEnded);
afterAll(fileEnded);
