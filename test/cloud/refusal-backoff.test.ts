import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/cloud/api-error.js';
import { DEFAULT_REFUSAL_BACKOFF, holdBackWhenRefused, RefusalRecord, refusalKey } from '../../src/cloud/refusal-backoff.js';
import type { Credentials, OutgoingRequest } from '../../src/cloud/request.js';

const MINUTE = 60_000;
const refusal = (n = 1) => new ApiError(`GET /v3/p/vaults: HTTP 401, APIG.0301 #${n}`, { code: '401', status: 401, errorCode: 'APIG.0301' });
const outgoing = (): OutgoingRequest => ({ method: 'GET', url: new URL('https://cbr.example/v3/p/vaults'), headers: {} });

/** A record on a clock we move by hand; `heldFor` finds how long it holds back, to the millisecond. */
function clocked() {
  let time = Date.UTC(2026, 10, 25, 12, 0, 0);
  const record = new RefusalRecord(DEFAULT_REFUSAL_BACKOFF, () => time);
  const isHeld = () => {
    try {
      record.check();
      return false;
    } catch {
      return true;
    }
  };
  const heldFor = () => {
    const start = time;
    while (isHeld()) time += 1000;
    return time - start;
  };
  return { record, isHeld, heldFor, advance: (ms: number) => (time += ms) };
}

describe('RefusalRecord', () => {
  it('holds back 1, 2, 4, 8, 16, then at most 30 minutes after refusals in a row', () => {
    const { record, heldFor } = clocked();
    const holds = Array.from({ length: 7 }, (_, i) => {
      record.refused(refusal(i + 1));
      return heldFor() / MINUTE;
    });
    expect(holds).toEqual([1, 2, 4, 8, 16, 30, 30]);
  });

  it('counts refusals of one moment (CBR and HSS side by side) once', () => {
    const { record, heldFor } = clocked();
    record.refused(refusal(1));
    record.refused(refusal(2));
    expect(heldFor()).toBe(MINUTE);
    record.refused(refusal(3));
    expect(heldFor()).toBe(2 * MINUTE);
  });

  it('starts over after an accepted request', () => {
    const { record, heldFor, isHeld } = clocked();
    record.refused(refusal());
    heldFor();
    record.refused(refusal());
    record.accepted();
    expect(isHeld()).toBe(false);
    record.refused(refusal());
    expect(heldFor()).toBe(MINUTE);
  });

  it('says in its error what was refused, how often, and until when; nothing was sent', () => {
    const { record } = clocked();
    record.refused(refusal(7));
    let error: unknown;
    try {
      record.check();
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).details).toEqual({ code: 'held' });
    expect((error as Error).message).toBe(
      'not sent: these credentials were refused 1 time(s) in a row and are held back until 2026-11-25T12:01:00.000Z, ' +
        'so that Huawei Cloud does not lock the key; a config reload with changed credentials lets them try at once ' +
        '(last refusal: GET /v3/p/vaults: HTTP 401, APIG.0301 #7)',
    );
  });

  it('lets a new version of rotating credentials through at once, but not the refused one', () => {
    const { record } = clocked();
    record.refused(refusal(), 'token-v1');
    expect(() => record.check('token-v1')).toThrow(/held back/);
    expect(() => record.check('token-v2')).not.toThrow();
    expect(() => record.check('token-v1')).not.toThrow(); // v2 reset the record; v1 must earn its refusal again
  });
});

describe('holdBackWhenRefused', () => {
  /** Credentials that count their authorize() calls and fail them as told. */
  function inner(fail?: () => Error): Credentials & { calls: number } {
    const credentials = {
      calls: 0,
      async authorize(req: OutgoingRequest) {
        credentials.calls++;
        if (fail) throw fail();
        req.headers['X-Auth-Token'] = 't';
      },
      renew: () => true,
    };
    return credentials;
  }

  it('sends nothing after a refusal reported by getJson, until an answer clears the record', async () => {
    const { record, advance } = clocked();
    const wrapped = holdBackWhenRefused(inner(), record);
    const first = outgoing();
    await wrapped.authorize(first);
    expect(first.headers['X-Auth-Token']).toBe('t');
    wrapped.refused?.(refusal(), first);
    await expect(wrapped.authorize(outgoing())).rejects.toThrow(/^not sent: /);
    advance(MINUTE);
    await wrapped.authorize(outgoing());
    wrapped.accepted?.();
    expect(wrapped.renew()).toBe(true);
  });

  it('takes IAM refusing the password (401/403) as a refusal, and a timeout not', async () => {
    const { record, isHeld } = clocked();
    const timeout = holdBackWhenRefused(inner(() => new ApiError('IAM token request timed out', { code: 'timeout' })), record);
    await expect(timeout.authorize(outgoing())).rejects.toThrow(/timed out/);
    expect(isHeld()).toBe(false);
    const login = inner(() => new ApiError('IAM token request failed: HTTP 401', { code: '401', status: 401 }));
    const iam = holdBackWhenRefused(login, record);
    await expect(iam.authorize(outgoing())).rejects.toThrow(/HTTP 401/);
    await expect(iam.authorize(outgoing())).rejects.toThrow(/^not sent: .*held back/);
    expect(login.calls).toBe(1);
  });

  it('remembers which version each request carried, so a rotated token file is tried at once', async () => {
    const { record } = clocked();
    let version = 'v1';
    const rotating = { ...inner(), version: async () => version };
    const wrapped = holdBackWhenRefused(rotating, record);
    const refusedRequest = outgoing();
    await wrapped.authorize(refusedRequest);
    version = 'v2'; // rotated while the request was on the wire
    wrapped.refused?.(refusal(), refusedRequest);
    await expect(wrapped.authorize(outgoing())).resolves.toBeUndefined();
  });
});

describe('refusalKey', () => {
  const ak = (id: string, sk: string) => ({ kind: 'access_key', accessKey: { value: id }, secretKey: { value: sk } }) as const;

  it('is the access key, not the pair: APIG locks the AK whatever SK came with it', () => {
    expect(refusalKey(ak('AKONE', 'right'))).toBe(refusalKey(ak('AKONE', 'wrong')));
    expect(refusalKey(ak('AKONE', 'right'))).not.toBe(refusalKey(ak('AKTWO', 'right')));
  });

  it('is the IAM user wherever its endpoint, and a file by its absolute path', () => {
    const iam = (endpoint?: string) => ({ kind: 'iam', endpoint, domainName: 'd', userName: 'u', password: { value: 'p' } }) as const;
    expect(refusalKey(iam())).toBe(refusalKey(iam('https://iam.example')));
    expect(refusalKey({ kind: 'token_file', file: 'tok' })).toBe(refusalKey({ kind: 'token_file', file: `${process.cwd()}/tok` }));
  });

  it('tells tokens apart without holding them in the clear', () => {
    const token = 'MIIZsecret-token-value';
    const key = refusalKey({ kind: 'token', token });
    expect(key).toBe(refusalKey({ kind: 'token', token }));
    expect(key).not.toBe(refusalKey({ kind: 'token', token: `${token}2` }));
    expect(key).not.toContain('secret-token');
  });
});
