import { readText } from './paths.js';

export interface Instruction {
  op: string;
  args: string;
}
export interface Stage {
  from: string;
  name?: string;
  /** FROM --platform=…, e.g. $BUILDPLATFORM. */
  platform?: string;
  instructions: Instruction[];
}

/** The Dockerfile's stages with their instructions (comments dropped, continuations joined). */
export function dockerfileStages(text = readText('Dockerfile')): Stage[] {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, op = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    if (op.toUpperCase() === 'FROM') {
      const [, platform, from = '', name] = /^(?:--platform=(\S+)\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args) ?? [];
      stages.push({ from, name, platform, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push({ op: op.toUpperCase(), args });
    }
  }
  return stages;
}

/** The JSON-array form of ENTRYPOINT/CMD. */
export const execForm = (args: string): string[] => JSON.parse(args) as string[];

/** COPY instructions as { from (stage name or undefined for the build context), sources, dest }. */
export function copies(stage: Stage): Array<{ from?: string; sources: string[]; dest: string }> {
  return stage.instructions
    .filter((i) => i.op === 'COPY')
    .map((i) => {
      const words = i.args.split(/\s+/);
      const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
      const paths = words.filter((w) => !w.startsWith('--'));
      return { from, sources: paths.slice(0, -1), dest: paths.at(-1) as string };
    });
}

/** A stage's LABELs (`key="value" ...`), with `${ARG}` replaced by the stage's ARG defaults. */
export function labels(stage: Stage): Record<string, string> {
  const defaults: Record<string, string> = {};
  for (const { args } of stage.instructions.filter((i) => i.op === 'ARG')) {
    const [name = '', value = ''] = args.split('=');
    defaults[name] = value;
  }
  const found: Record<string, string> = {};
  for (const { args } of stage.instructions.filter((i) => i.op === 'LABEL')) {
    for (const [, key = '', quoted, bare] of args.matchAll(/([\w.-]+)=(?:"([^"]*)"|(\S+))/g)) {
      found[key] = (quoted ?? bare ?? '').replace(/\$\{(\w+)\}/g, (_, name: string) => defaults[name] ?? '');
    }
  }
  return found;
}
