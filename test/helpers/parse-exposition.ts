/** One sample line of the text format, parsed strictly (escapes included), for assertions. */
export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function unescape(text: string): string {
  return text.replace(/\\(["\\n])/g, (_m, c: string) => (c === 'n' ? '\n' : c));
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/gy;

export function parseExposition(text: string): ParsedSample[] {
  const samples: ParsedSample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = LINE.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    const body = match[2] ?? '';
    LABEL.lastIndex = 0;
    let consumed = 0;
    for (let m = LABEL.exec(body); m; m = LABEL.exec(body)) {
      labels[m[1]!] = unescape(m[2]!);
      consumed = LABEL.lastIndex;
    }
    if (consumed !== body.length) throw new Error(`bad labels: ${line}`);
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** name → vault_id → samples of that vault. */
export function byVault(samples: ParsedSample[]): Map<string, Map<string, ParsedSample[]>> {
  const out = new Map<string, Map<string, ParsedSample[]>>();
  for (const sample of samples) {
    const id = sample.labels.vault_id;
    if (id === undefined) continue;
    const family = out.get(sample.name) ?? new Map<string, ParsedSample[]>();
    out.set(sample.name, family);
    family.set(id, [...(family.get(id) ?? []), sample]);
  }
  return out;
}
