/**
 * The parts of undici the exporter calls, loaded by themselves. undici's index loads all of it (fetch, WebSocket,
 * EventSource, caches, mocks: 110 modules, against 36 for these), in the refresh worker, which makes every request:
 * 3 s after the start-up refresh at 10,000 vaults the process was 0.5-2.7 MiB larger with the index (medians of 7
 * starts, two rounds), its high-water mark 2.0-4.7 MiB. These are undici's own files, not its documented entry
 * point: test/cloud/undici-parts.test.ts fails when an update of undici moves or changes them, and
 * test/e2e/real-cloud.test.ts when HTTPS_PROXY stops working through them.
 */
import { createRequire } from 'node:module';
import type { Dispatcher, EnvHttpProxyAgent as EnvHttpProxyAgentClass } from 'undici';

const require = createRequire(import.meta.url);

type DispatcherRequest = (this: Dispatcher, options: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>;
const api = require('undici/lib/api/index.js') as { request: DispatcherRequest };
// undici's own dispatchers call these as methods (ProxyAgent opens its HTTPS_PROXY tunnel with
// this[kClient].connect()), and it is undici's index that puts them on Dispatcher.prototype: so do we.
Object.assign((require('undici/lib/dispatcher/dispatcher.js') as { prototype: object }).prototype, api);
const dispatcherRequest = api.request;

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
