import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { SecretSource } from '../config/auth.js';

function unreadable(what: string, path: string, err: unknown): Error {
  const reason = (err as NodeJS.ErrnoException).code ?? String(err).split('\n')[0];
  return new Error(`cannot read ${what} ${path}: ${reason}`);
}

function nonEmpty(what: string, path: string, text: string): string {
  const secret = text.trim();
  if (!secret) throw new Error(`${what} ${path} is empty`);
  return secret;
}

/** The trimmed content of a secret file; an Error naming the file (never its content) otherwise. */
export function readSecretFileSync(path: string, what: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw unreadable(what, path, err);
  }
  return nonEmpty(what, path, text);
}

export async function readSecretFile(path: string, what: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw unreadable(what, path, err);
  }
  return nonEmpty(what, path, text);
}

/** An inline secret as given, or the file's trimmed content; `what` is the config key, for messages. */
export function resolveSecret(source: SecretSource, what: string): string {
  return 'value' in source ? source.value : readSecretFileSync(source.file, `${what}_file`);
}
