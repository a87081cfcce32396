import { parseAllDocuments } from 'yaml';
import { KUBERNETES_DIR } from './paths.js';
import { run } from '../../helpers/process.js';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  [key: string]: unknown;
}

/** `kubectl kustomize deploy/kubernetes`, parsed. */
export function renderBase(): KubeObject[] {
  const result = run('kubectl', ['kustomize', KUBERNETES_DIR], { timeoutMs: 60_000 });
  if (result.status !== 0) throw new Error(`kubectl kustomize failed:\n${result.stderr}`);
  return parseAllDocuments(result.stdout).map((doc) => {
    if (doc.errors.length) throw new Error(doc.errors.map((e) => e.message).join('\n'));
    return doc.toJS() as KubeObject;
  });
}
