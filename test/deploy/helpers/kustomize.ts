import { expect } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { KUBERNETES_DIR } from './paths.js';
import { run } from '../../helpers/process.js';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  [key: string]: unknown;
}

/** `kubectl kustomize deploy/kubernetes` (or another kustomization), parsed. */
export function renderBase(dir = KUBERNETES_DIR): KubeObject[] {
  const result = run('kubectl', ['kustomize', dir], { timeoutMs: 60_000 });
  if (result.status !== 0) throw new Error(`kubectl kustomize failed:\n${result.stderr}`);
  return parseAllDocuments(result.stdout).map((doc) => {
    if (doc.errors.length) throw new Error(doc.errors.map((e) => e.message).join('\n'));
    return doc.toJS() as KubeObject;
  });
}

/** The one object of `kind` among `objects`; fails the test when there is none or more. */
export function oneOf<T>(objects: readonly KubeObject[], kind: string): T {
  const found = objects.filter((o) => o.kind === kind);
  expect(found, `expected one ${kind}`).toHaveLength(1);
  return found[0] as T;
}
