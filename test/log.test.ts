import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, jsonLineToLogfmt } from '../src/log.js';

function capture(format: 'json' | 'logfmt') {
  const stream = new PassThrough();
  const lines: string[] = [];
  stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  return { log: createLogger({ level: 'info', format, stream }), lines };
}

describe('logs', () => {
  it('writes JSON lines with a level name and ISO time', () => {
    const { log, lines } = capture('json');
    log.info({ pair: 'cbr/p/r', vaults: 3 }, 'refresh complete');
    const record = JSON.parse(lines[0]!);
    expect(record).toMatchObject({ level: 'info', pair: 'cbr/p/r', vaults: 3, msg: 'refresh complete' });
    expect(record.time).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('writes logfmt, quoting values that need it', () => {
    expect(jsonLineToLogfmt('{"level":"warn","time":"2026-01-01T00:00:00.000Z","msg":"two words","n":2,"k":"a=b"}')).toBe(
      'ts=2026-01-01T00:00:00.000Z level=warn msg="two words" n=2 k="a=b"\n',
    );
    const { log, lines } = capture('logfmt');
    log.warn({ pair: 'hss/p/r' }, 'refresh failed');
    expect(lines[0]).toMatch(/^ts=\S+ level=warn msg="refresh failed" pair=hss\/p\/r$/);
  });

  it('censors credentials wherever a careless log call puts them', () => {
    const { log, lines } = capture('json');
    log.info({ headers: { 'x-auth-token': 'tok-secret', authorization: 'SDK-HMAC-SHA256 Signature=sig-secret' }, password: 'pw-secret', token: 'tok2' }, 'request');
    log.info({ req: { headers: { 'x-security-token': 'st-secret' } } }, 'nested');
    const text = lines.join('\n');
    for (const secret of ['tok-secret', 'sig-secret', 'pw-secret', 'tok2', 'st-secret']) expect(text).not.toContain(secret);
    expect(text).toContain('[REDACTED]');
  });
});
