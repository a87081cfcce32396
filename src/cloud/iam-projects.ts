import type { DiscoveredProject } from '../config/discover.js';
import { ApiError } from './api-error.js';
import { getJson, type ApiContext } from './get-json.js';
import { isRecord } from './record-fields.js';

/**
 * IAM's two project lists. With AK/SK, the account's: `GET /v3/projects` (KeystoneListProjects), signed as
 * Huawei's SDKs and terraform sign it (their region lookup calls it before any project id is known). With a
 * token, the caller's: `GET /v3/auth/projects` (KeystoneListAuthProjects), which needs no permission.
 */
export const PROJECT_LIST_PATHS = { signed: '/v3/projects', token: '/v3/auth/projects' } as const;
export type ProjectListForm = keyof typeof PROJECT_LIST_PATHS;

export interface ProjectList {
  projects: DiscoveredProject[];
  /** Records without a usable id, name or enabled flag: left out. */
  invalidRecords: number;
}

function projectOf(record: unknown): DiscoveredProject | undefined {
  if (!isRecord(record)) return undefined;
  const { id, name, enabled, parent_id: parentId, is_domain: isDomain } = record;
  if (typeof id !== 'string' || id === '' || typeof name !== 'string' || typeof enabled !== 'boolean') return undefined;
  return {
    id,
    name,
    enabled,
    ...(typeof parentId === 'string' && parentId !== '' ? { parentId } : {}),
    ...(isDomain === true ? { isDomain } : {}),
  };
}

/** `{"projects": [...], "links": {...}}`; a body without the array is not the documented one. */
export function readProjectList(body: unknown, path: string): ProjectList {
  if (!isRecord(body) || !Array.isArray(body.projects)) {
    throw new ApiError(`GET ${path}: response has no "projects" array`, { code: 'invalid_body' });
  }
  const out: ProjectList = { projects: [], invalidRecords: 0 };
  for (const record of body.projects as unknown[]) {
    const project = projectOf(record);
    if (project) out.projects.push(project);
    else out.invalidRecords++;
  }
  return out;
}

/**
 * Every project IAM lists for these credentials, in one request: without `page`/`per_page` IAM answers the whole
 * list (an account has one project per region it uses and their sub-projects, tens to a few hundred), as the SDKs
 * read it. Retries, throttling and refusals are getJson's, as for the vault lists.
 */
export function listIamProjects(iamEndpoint: string, form: ProjectListForm, ctx: ApiContext): Promise<ProjectList> {
  const path = PROJECT_LIST_PATHS[form];
  return getJson(new URL(`${iamEndpoint}${path}`), ctx, (body) => readProjectList(body, path));
}
