import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createServer } from '../node-http.js';
import { PROJECT_LIST_PATHS } from '../cloud/iam-projects.js';
import type { ProjectListRoute } from './accounts.js';
import type { AuthVerdict, IamReply, ReceivedRequest } from './auth.js';
import { apiErrors, errorBody, NGINX_BAD_GATEWAY_HTML, type ApiError } from './errors.js';
import { Faults, type FaultKind } from './faults.js';
import { listingPage } from './listing.js';
import { ProjectStore } from './projects.js';
import type { ProjectFleet, VaultRecordOf, Source } from './records.js';
import { RequestLog } from './request-log.js';
import { pathPattern, SIM_SOURCES } from './sources.js';
import { SOURCES } from '../config/sources.js';

/** Decides whether a CBR/HSS request may proceed; `req.path` is the target as received, query included. */
export type Authenticate = (req: ReceivedRequest, projectId: string) => AuthVerdict;

export interface SimulatedCloudOptions {
  fleets: ProjectFleet[];
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 (default): an ephemeral port. */
  port?: number;
  /** Delay before every response, IAM included. */
  latencyMs?: number;
  /** Replaces the default check (X-Auth-Token must be one of `tokens`). */
  authenticate?: Authenticate;
  tokens?: string[];
  /** Answers POST /v3/auth/tokens; without it that route is 404. */
  iam?: (body: unknown) => IamReply;
  /** Answers GET /v3/projects (`signed`) and GET /v3/auth/projects (`token`); without it those routes are 404. */
  projects?: (req: ReceivedRequest, route: ProjectListRoute) => IamReply;
  /** How many request records `requests` keeps (default 10,000). */
  requestLogCapacity?: number;
  /** How far the simulated cloud's clock (its Date header, its rate-limit windows) is from ours. */
  clockOffsetMs?: number;
}

export interface SimulatedCloud {
  /** http://HOST:PORT, serving CBR, HSS and IAM. */
  url: string;
  close(): Promise<void>;
  faults: Faults;
  requests: RequestLog;
  /** The X-Auth-Token values the default check accepts; change it to revoke or rotate tokens. */
  tokens: Set<string>;
  /** The project's current records, in listing order. */
  vaults<S extends Source>(projectId: string, source: S): readonly VaultRecordOf[S][];
  addVaults<S extends Source>(projectId: string, source: S, records: readonly VaultRecordOf[S][], at?: 'start' | 'end'): void;
  /** Returns how many were removed. */
  deleteVaults(projectId: string, source: Source, ids: readonly string[]): number;
  /** Replaces a record by `change(record)`; false when no record has that ID. */
  updateVault<S extends Source>(projectId: string, source: S, id: string, change: (record: VaultRecordOf[S]) => VaultRecordOf[S]): boolean;
  /** Makes `count` / `total_num` report `total` instead of the real number (undefined: the real one again). */
  setReportedTotal(projectId: string, source: Source, total: number | undefined): void;
  /** The vaults of a project created while the cloud runs. */
  addFleet(fleet: ProjectFleet): void;
}

type Route =
  | { api: Source; projectId: string }
  | { api: 'iam'; projectId?: undefined; projects?: ProjectListRoute }
  | { api: 'unknown'; projectId?: undefined };

interface Reply {
  status: number;
  body: string;
  contentType?: string;
  headers?: Record<string, string>;
  /** Instead of `body`: this many bytes streamed without Content-Length, or without end. */
  stream?: number | 'endless';
}

const JSON_TYPE = 'application/json;charset=UTF-8';
const LIST_PATHS = SOURCES.map((source) => [source, pathPattern(SIM_SOURCES[source].facts)] as const);
const IAM_PATH = '/v3/auth/tokens';
/** The project lists' paths, as the client asks them. */
const PROJECT_LIST_ROUTES: Readonly<Record<string, ProjectListRoute>> = Object.fromEntries(Object.entries(PROJECT_LIST_PATHS).map(([route, path]) => [path, route as ProjectListRoute]));

function route(path: string): Route {
  if (path === IAM_PATH) return { api: 'iam' };
  const projects = PROJECT_LIST_ROUTES[path];
  if (projects) return { api: 'iam', projects };
  for (const [api, pattern] of LIST_PATHS) {
    const match = pattern.exec(path);
    if (match?.[1] === undefined) continue;
    try {
      return { api, projectId: decodeURIComponent(match[1]) };
    } catch {
      return { api: 'unknown' };
    }
  }
  return { api: 'unknown' };
}

function newRequestId(): string {
  return randomUUID().replaceAll('-', '');
}

/** An error reply; its request id travels in the body and in X-Request-Id, as Huawei's services send it. */
function errorReply(error: ApiError, headers?: Record<string, string>): Reply {
  const requestId = newRequestId();
  return { status: error.status, body: JSON.stringify(errorBody(error, requestId)), headers: { 'X-Request-Id': requestId, ...headers } };
}

/** The request's headers as a gateway that quotes them would write them: credentials and all. */
function quotedHeaders(headers: IncomingMessage['headers']): string {
  return Object.entries(headers).map(([name, value]) => `${name}: ${Array.isArray(value) ? value.join(', ') : value}`).join('; ');
}

function faultReply(fault: FaultKind | undefined, source: Source, faults: Faults, req: IncomingMessage): Reply | 'reset' | undefined {
  const s = faults.settings;
  const retryAfter = s.retryAfterSeconds === undefined ? undefined : { 'Retry-After': String(s.retryAfterSeconds) };
  switch (fault) {
    case 'reset':
      return 'reset';
    case 'outage':
      return errorReply(apiErrors.backendUnavailable());
    case 'throttle':
      return errorReply(apiErrors.throttled(20, 'second'), retryAfter);
    case 'rate_limit':
      return errorReply(apiErrors.throttled(s.rateLimit?.limit ?? 0, s.rateLimit?.window ?? 'minute'), retryAfter);
    case 'server_error':
      if (s.serverErrorStatus === 502) return errorReply(apiErrors.backendUnavailable());
      if (s.serverErrorStatus === 504) return errorReply(apiErrors.backendTimeout());
      return errorReply(SIM_SOURCES[source].internalError());
    case 'html_bad_gateway':
      return { status: 502, body: NGINX_BAD_GATEWAY_HTML, contentType: 'text/html' };
    case 'auth_failure':
      return errorReply(s.authFailure === 'BackupService.8600' ? apiErrors.cbrNotAuthenticated() : apiErrors.cbrAuthenticationFailed());
    case 'echo_headers':
      return errorReply(SIM_SOURCES[source].invalidParameter('request', `headers received: ${quotedHeaders(req.headers)}`));
    case 'oversized_body':
      return { status: 200, body: '', stream: s.oversizedBody };
    case 'truncate':
    case undefined:
      return undefined;
  }
}

/** A body of `size` bytes (or without end) in 64 KiB chunks, waiting for the client to read each. */
function streamBody(res: ServerResponse, size: number | 'endless'): void {
  const chunk = Buffer.alloc(64 * 1024, ' ');
  let sent = 0;
  const more = (): void => {
    while (!res.destroyed && (size === 'endless' || sent < size)) {
      const piece = size === 'endless' ? chunk : chunk.subarray(0, Math.min(chunk.length, size - sent));
      sent += piece.length;
      if (!res.write(piece)) {
        res.once('drain', more);
        return;
      }
    }
    if (!res.destroyed) res.end();
  };
  res.on('close', () => res.removeListener('drain', more));
  more();
}

function tokenCheck(tokens: Set<string>): Authenticate {
  return (req) => {
    const token = req.headers['x-auth-token'];
    if (typeof token !== 'string' || token === '') return { ok: false, ...apiErrors.missingToken() };
    return tokens.has(token) ? { ok: true } : { ok: false, ...apiErrors.badToken() };
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks);
}

function write(res: ServerResponse, reply: Reply, truncate: boolean, dateMs: number): void {
  if (res.destroyed || res.headersSent) return;
  // The simulated cloud's own clock: a client whose clock is off sees it in Date.
  res.sendDate = false;
  const date = new Date(dateMs).toUTCString();
  if (reply.stream !== undefined) {
    res.writeHead(reply.status, { 'Content-Type': JSON_TYPE, Date: date, 'X-Request-Id': newRequestId(), ...reply.headers });
    streamBody(res, reply.stream);
    return;
  }
  const full = Buffer.from(reply.body);
  // A body cut mid-JSON with a Content-Length that matches: the client sees a complete, invalid body.
  const bytes = truncate ? full.subarray(0, Math.floor(full.length / 2)) : full;
  res.writeHead(reply.status, {
    'Content-Type': reply.contentType ?? JSON_TYPE,
    'Content-Length': bytes.length,
    Date: date,
    'X-Request-Id': newRequestId(),
    ...reply.headers,
  });
  res.end(bytes);
}

export async function startSimulatedCloud(options: SimulatedCloudOptions): Promise<SimulatedCloud> {
  const store = new ProjectStore(options.fleets);
  const clockOffsetMs = options.clockOffsetMs ?? 0;
  const simNow = () => Date.now() + clockOffsetMs;
  const faults = new Faults(simNow);
  const requests = new RequestLog(options.requestLogCapacity);
  const tokens = new Set(options.tokens ?? []);
  const authenticate = options.authenticate ?? tokenCheck(tokens);
  const latencyMs = options.latencyMs ?? 0;

  function iamReply(body: Buffer): Reply {
    if (!options.iam) return errorReply(apiErrors.unknownApi('POST', IAM_PATH));
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return errorReply(apiErrors.invalidJsonBody());
    }
    const answer = options.iam(parsed);
    return { status: answer.status, body: JSON.stringify(answer.body), headers: answer.headers };
  }

  function projectsReply(req: ReceivedRequest, projects: ProjectListRoute): Reply {
    if (!options.projects) return errorReply(apiErrors.unknownApi('GET', req.path));
    const answer = options.projects(req, projects);
    return { status: answer.status, body: JSON.stringify(answer.body), headers: answer.headers };
  }

  function apiReply(req: ReceivedRequest, source: Source, projectId: string, query: URLSearchParams): Reply {
    const auth = authenticate(req, projectId);
    if (!auth.ok) return errorReply(auth);
    const page = listingPage(store, faults, source, projectId, query);
    return typeof page === 'string' ? { status: 200, body: page } : errorReply(page);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const method = req.method ?? 'GET';
    const target = req.url ?? '/';
    const mark = target.indexOf('?');
    const path = mark < 0 ? target : target.slice(0, mark);
    const query = new URLSearchParams(mark < 0 ? '' : target.slice(mark + 1));
    const found = route(path);
    let fault: FaultKind | undefined;
    let delayMs = latencyMs;
    let reply: Reply | 'reset';
    if (found.api === 'unknown') {
      reply = errorReply(apiErrors.unknownApi(method, path));
    } else if (method !== (found.api === 'iam' && !found.projects ? 'POST' : 'GET')) {
      reply = errorReply(apiErrors.methodNotAllowed(method, path));
    } else if (found.api === 'iam') {
      reply = found.projects ? projectsReply({ method, path: target, headers: req.headers, body }, found.projects) : iamReply(body);
    } else {
      fault = faults.next(found.api);
      delayMs += faults.extraDelayMs(found.api);
      reply =
        faultReply(fault, found.api, faults, req) ??
        apiReply({ method, path: target, headers: req.headers, body }, found.api, found.projectId, query);
    }
    if (delayMs > 0) await sleep(delayMs);
    requests.add({
      method,
      path,
      api: found.api,
      projectId: found.projectId,
      limit: query.get('limit') ?? undefined,
      offset: query.get('offset') ?? undefined,
      query,
      status: reply === 'reset' ? 0 : reply.status,
      fault,
      headers: req.headers,
    });
    if (reply === 'reset') req.socket.resetAndDestroy();
    else write(res, reply, fault === 'truncate', simNow());
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      // A throwing hook (authenticate, iam) is a bug in the test that passed it: make it loud, not a hang.
      write(res, { status: 500, body: JSON.stringify({ error_code: 'SIM.0500', error_msg: `simulator hook failed: ${String(err)}` }) }, false, simNow());
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
    faults,
    requests,
    tokens,
    vaults: (projectId, source) => store.records(projectId, source),
    addVaults: (projectId, source, records, at) => store.add(projectId, source, records, at),
    deleteVaults: (projectId, source, ids) => store.delete(projectId, source, ids),
    updateVault: (projectId, source, id, change) => store.update(projectId, source, id, change),
    setReportedTotal: (projectId, source, total) => store.setReportedTotal(projectId, source, total),
    addFleet: (fleet) => store.addFleet(fleet),
  };
}
