/**
 * The two parts of undici the exporter calls, loaded by themselves. undici's index loads all of it (fetch,
 * WebSocket, EventSource, caches, mocks: 110 modules, against 31 for these), in the refresh worker, which makes
 * every request: 3 s after the start-up refresh at 10,000 vaults the process was 1.5-3.3 MiB larger with the
 * index (medians of 7 starts, two rounds), its high-water mark 2.6-3.0 MiB. These are undici's own files, not its documented entry point;
 * test/cloud/undici-parts.test.ts fails when an update of undici moves or changes them.
 */
import { createRequire } from 'node:module';
import type { Dispatcher, EnvHttpProxyAgent as EnvHttpProxyAgentClass } from 'undici';

const require = createRequire(import.meta.url);

type DispatcherRequest = (this: Dispatcher, options: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>;
const dispatcherRequest = require('undici/lib/api/api-request.js') as DispatcherRequest;

/** undici's EnvHttpProxyAgent: honours HTTPS_PROXY, HTTP_PROXY and NO_PROXY. */
export const EnvHttpProxyAgent = require('undici/lib/dispatcher/env-http-proxy-agent.js') as typeof EnvHttpProxyAgentClass;

export interface RequestOptions {
  method: 'GET' | 'POST';
  dispatcher: Dispatcher;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  signal?: AbortSignal;
}

/** undici's request(url, options) made with `options.dispatcher`, as undici's index makes it. */
export function request(url: URL | string, { dispatcher, ...options }: RequestOptions): Promise<Dispatcher.ResponseData> {
  const { origin, pathname, search } = typeof url === 'string' ? new URL(url) : url;
  return dispatcherRequest.call(dispatcher, { ...options, origin, path: `${pathname}${search}` });
}
