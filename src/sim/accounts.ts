import type { IncomingHttpHeaders } from 'node:http';
import { PROJECT_LIST_PATHS, type ProjectListForm } from '../cloud/iam-projects.js';
import { parseAuthorization } from '../cloud/sign.js';
import { createSimAuth, type AuthVerdict, type IamReply, type ReceivedRequest, type SimAuth, type SimKey } from './auth.js';

/**
 * Accounts (IAM domains) of the simulated cloud, each with its credentials and its projects, as IAM lists them:
 * one project per region the account uses (`ap-southeast-1`), sub-projects `{region}_{suffix}` under a region's
 * project, and system projects that are no region (`MOS`). IAM grants policies per region project, so an
 * account's credentials may be refused (403) on some of its own projects' vault lists.
 */
export interface SimProject {
  id: string;
  name: string;
  /** The region project of a sub-project; default: the account, as for region and system projects. */
  parent_id?: string;
  /** Default true. */
  enabled?: boolean;
}

export interface SimAccountSpec {
  domainId: string;
  domainName: string;
  keys?: SimKey[];
  /** Tokens accepted for every project of the account, as if obtained elsewhere. */
  tokens?: string[];
  iamUsers?: { user: string; password: string }[];
  projects: SimProject[];
  /** Projects whose vault lists the account's credentials may not read: 403, as when no policy is granted there. */
  forbidden?: string[];
}

/** The two project lists IAM answers, by the client's own table: `signed` GET /v3/projects, `token` GET /v3/auth/projects. */
export type ProjectListRoute = ProjectListForm;

export interface SimAccounts {
  /** The vault lists' check: valid credentials of the account that owns the project, with a policy there. */
  authenticate(req: ReceivedRequest, projectId: string): AuthVerdict;
  /** POST /v3/auth/tokens for any account's IAM user. */
  issueToken(body: unknown): IamReply;
  listProjects(req: ReceivedRequest, route: ProjectListRoute): IamReply;
  /** A project created while the cloud runs (its vaults go in with SimulatedCloud.addProject). */
  addProject(domainId: string, project: SimProject): void;
  /** Returns whether the project existed. */
  removeProject(projectId: string): boolean;
  /** While set, both project lists answer this HTTP status (IAM unavailable, a refusal). */
  failProjectLists(status: number | undefined): void;
  /** Project list requests answered so far, per route. */
  projectListRequests(): Record<ProjectListRoute, number>;
}

interface Account {
  spec: SimAccountSpec;
  auth: SimAuth;
  projects: SimProject[];
}

const JSON_HEADERS = { 'Content-Type': 'application/json;charset=UTF-8' };
const NOT_AUTHORIZED = { ok: false as const, status: 403, error_code: 'APIG.0302', error_msg: 'The IAM user is not authorized to access the API.' };

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Keystone's words for its refusals. */
const IAM_WORDS: Readonly<Record<number, string>> = {
  401: 'The request you have made requires authentication.',
  403: 'You are not authorized to perform the requested action.',
};

function iamError(status: number, message: string): IamReply {
  const title = status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : 'Service Unavailable';
  return { status, headers: JSON_HEADERS, body: { error: { code: status, message, title } } };
}

export function createSimAccounts(specs: readonly SimAccountSpec[]): SimAccounts {
  const accounts: Account[] = specs.map((spec) => ({
    spec,
    auth: createSimAuth({
      keys: spec.keys,
      tokens: spec.tokens,
      iamUsers: (spec.iamUsers ?? []).map((u) => ({ domain: spec.domainName, user: u.user, password: u.password })),
    }),
    projects: [...spec.projects],
  }));
  // Tokens IAM issued, to the account that logged in.
  const issued = new Map<string, Account>();
  const unknown = createSimAuth();
  let failure: number | undefined;
  const requests: Record<ProjectListRoute, number> = { signed: 0, token: 0 };

  /** Whose credentials the request carries; the first account when none: its check then says what is wrong. */
  function accountOf(req: ReceivedRequest): Account | undefined {
    const token = header(req.headers, 'x-auth-token');
    if (token !== undefined) return issued.get(token) ?? accounts.find((a) => a.spec.tokens?.includes(token));
    const access = parseAuthorization(header(req.headers, 'authorization') ?? '')?.access;
    return accounts.find((a) => a.spec.keys?.some((key) => key.ak === access));
  }

  function record(account: Account, project: SimProject) {
    const { id, name } = project;
    return {
      id,
      name,
      domain_id: account.spec.domainId,
      parent_id: project.parent_id ?? account.spec.domainId,
      is_domain: false,
      enabled: project.enabled ?? true,
      description: '',
      links: { self: `https://iam.myhuaweicloud.com/v3/projects/${id}` },
    };
  }

  return {
    authenticate(req, projectId) {
      const account = accountOf(req);
      const verdict = (account?.auth ?? unknown).check(req, projectId);
      if (!verdict.ok || !account) return verdict;
      const owned = account.projects.some((project) => project.id === projectId);
      return owned && !account.spec.forbidden?.includes(projectId) ? verdict : NOT_AUTHORIZED;
    },
    issueToken(body) {
      const domain = (body as { auth?: { identity?: { password?: { user?: { domain?: { name?: unknown } } } } } } | null)?.auth?.identity?.password?.user?.domain?.name;
      const account = accounts.find((a) => a.spec.domainName === domain);
      const reply = (account?.auth ?? unknown).issueToken(body);
      const token = reply.headers['X-Subject-Token'];
      if (account && token) issued.set(token, account);
      return reply;
    },
    listProjects(req, route) {
      requests[route]++;
      if (failure !== undefined) return iamError(failure, IAM_WORDS[failure] ?? 'IAM is unavailable.');
      // GET /v3/auth/projects is the token form; GET /v3/projects takes a signature (and tokens).
      if (route === 'token' && header(req.headers, 'x-auth-token') === undefined) return iamError(401, IAM_WORDS[401] as string);
      const account = accountOf(req);
      const verdict = (account?.auth ?? unknown).check(req, undefined);
      if (!verdict.ok || !account) {
        const refused = verdict.ok ? NOT_AUTHORIZED : verdict;
        return { status: refused.status, headers: JSON_HEADERS, body: { error_code: refused.error_code, error_msg: refused.error_msg } };
      }
      const self = `https://iam.myhuaweicloud.com${PROJECT_LIST_PATHS[route]}`;
      return { status: 200, headers: JSON_HEADERS, body: { projects: account.projects.map((p) => record(account, p)), links: { self, previous: null, next: null } } };
    },
    addProject(domainId, project) {
      const account = accounts.find((a) => a.spec.domainId === domainId);
      if (!account) throw new Error(`simulated cloud: no account ${domainId}`);
      account.projects.push(project);
    },
    removeProject(projectId) {
      for (const account of accounts) {
        const index = account.projects.findIndex((p) => p.id === projectId);
        if (index >= 0) {
          account.projects.splice(index, 1);
          return true;
        }
      }
      return false;
    },
    failProjectLists(status) {
      failure = status;
    },
    projectListRequests: () => ({ ...requests }),
  };
}
