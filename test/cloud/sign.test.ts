import { describe, expect, it } from 'vitest';
// The official SDK's signer, as the reference to match byte for byte (devDependency, tests only).
import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner.js';
import {
  canonicalQuery,
  canonicalRequest,
  canonicalUri,
  encodeRfc3986,
  formatSdkDate,
  parseAuthorization,
  parseSdkDate,
  signRequest,
  type SigningKey,
} from '../../src/cloud/sign.js';
import type { OutgoingRequest } from '../../src/cloud/request.js';

const GUIDE_KEY: SigningKey = { ak: 'QTWAOYTTINDUT2QVKYUC', sk: 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc' };
const GUIDE_DATE = new Date('2019-11-15T03:36:55Z');

/** What the SDK signs for the same request: its Authorization header. */
function sdkAuthorization(req: OutgoingRequest, key: SigningKey, now: Date): string {
  const queryParams: Record<string, string | string[]> = {};
  for (const name of new Set(req.url.searchParams.keys())) {
    const values = req.url.searchParams.getAll(name);
    queryParams[name] = values.length > 1 ? values : (values[0] as string);
  }
  const headers: Record<string, string> = { ...req.headers, 'X-Sdk-Date': formatSdkDate(now) };
  if (key.securityToken) headers['X-Security-Token'] = key.securityToken; // BaseCredentials adds it before signing
  const signed = AKSKSigner.sign(
    {
      method: req.method,
      endpoint: `${req.url.origin}${req.url.pathname}`,
      queryParams,
      headers,
      // The SDK hashes JSON.stringify(data); our body is those bytes.
      data: req.body ? JSON.parse(Buffer.from(req.body).toString('utf8')) : undefined,
    },
    { getAk: () => key.ak, getSk: () => key.sk } as never,
  ) as Record<string, string>;
  return signed.Authorization as string;
}

describe('signRequest', () => {
  it("reproduces the signing guide's published example", () => {
    const req: OutgoingRequest = {
      method: 'GET',
      url: new URL(
        'https://service.region.example.com/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs?limit=2&marker=13551d6b-755d-4757-b956-536f674975c0',
      ),
      headers: { 'Content-Type': 'application/json', Host: 'service.region.example.com', 'X-Sdk-Date': '20191115T033655Z' },
    };
    const added = signRequest(req, GUIDE_KEY, GUIDE_DATE);
    expect(added['X-Sdk-Date']).toBe('20191115T033655Z');
    expect(added.Authorization).toBe(
      'SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-sdk-date, ' +
        'Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe',
    );
    expect(added['X-Security-Token']).toBeUndefined();
  });

  const key: SigningKey = { ak: 'HPUAEXAMPLEAK0000001', sk: 'exampleSecretKey/with+odd=chars' };
  const now = new Date('2025-03-09T23:59:07Z');
  const cases: { name: string; req: OutgoingRequest; key?: SigningKey }[] = [
    {
      // Not ': the SDK's url.parse escapes it to %27 and then encodes the % again.
      name: 'path segments with characters encodeURIComponent leaves (!()*) and sub-delims',
      req: { method: 'GET', url: new URL('https://cbr.example.com/v3/p1/vaults/a!b*c(d)e/x$y&z+w,v;u=t:s@r'), headers: {} },
    },
    {
      name: 'query values with spaces, ~, *, UTF-8 and repeated keys',
      req: {
        method: 'GET',
        url: (() => {
          const url = new URL('https://cbr.example.com/v3/p1/vaults');
          for (const [k, v] of [['name', 'daily backup'], ['tilde', 'a~b'], ['star', 'a*b'], ['city', 'Zürich 東京 🐘'],
            ['tag', 'zeta'], ['tag', 'alpha'], ['tag', 'Mid'], ['a key', "it's"], ['empty', '']]) url.searchParams.append(k as string, v as string);
          return url;
        })(),
        headers: { Accept: 'application/json' },
      },
    },
    {
      name: 'a non-default port in host, with X-Project-Id',
      req: {
        method: 'GET',
        url: new URL('https://hss.example.com:8443/v5/p1/backup/policy?enterprise_project_id=all_granted_eps'),
        headers: { 'Content-Type': 'application/json', 'X-Project-Id': 'p1' },
      },
    },
    {
      name: 'a POST body',
      req: {
        method: 'POST',
        url: new URL('https://cbr.example.com/v3/p1/vaults/action'),
        headers: { 'Content-Type': 'application/json;charset=UTF-8' },
        body: Buffer.from(JSON.stringify({ action: 'list', names: ['v1', 'ü'], limit: 10 })),
      },
    },
    {
      name: 'a temporary key with its security token',
      req: { method: 'GET', url: new URL('https://cbr.example.com/v3/p1/vaults?limit=100'), headers: { 'X-Project-Id': 'p1' } },
      key: { ...key, securityToken: 'gQpjbi1ub3J0aC00TKmI...sts+token/==' },
    },
  ];
  for (const { name, req, key: caseKey } of cases) {
    it(`matches the SDK signer: ${name}`, () => {
      const used = caseKey ?? key;
      const ours = signRequest(req, used, now).Authorization;
      expect(ours).toBe(sdkAuthorization(req, used, now));
    });
  }

  it('signs host and x-sdk-date (and x-security-token for temporary keys)', () => {
    const req: OutgoingRequest = { method: 'GET', url: new URL('https://cbr.example.com:8443/v3/p1/vaults'), headers: {} };
    const plain = parseAuthorization(signRequest(req, key, now).Authorization as string);
    expect(plain?.signedHeaders).toEqual(['host', 'x-sdk-date']);
    const temporary = signRequest(req, { ...key, securityToken: 'sts' }, now);
    expect(temporary['X-Security-Token']).toBe('sts');
    expect(parseAuthorization(temporary.Authorization as string)?.signedHeaders).toEqual(['host', 'x-sdk-date', 'x-security-token']);
  });

  it('signs the same request again without signing its earlier auth headers', () => {
    const req: OutgoingRequest = { method: 'GET', url: new URL('https://cbr.example.com/v3/p1/vaults'), headers: { accept: 'application/json' } };
    const first = signRequest(req, key, now);
    const fresh = signRequest({ ...req, headers: { ...req.headers } }, key, new Date(now.getTime() + 1000));
    Object.assign(req.headers, first); // a retry reuses the request that already carries these
    expect(signRequest(req, key, new Date(now.getTime() + 1000))).toEqual(fresh);
  });

  it('changes the signature when the body changes', () => {
    const req = (body: string): OutgoingRequest => ({
      method: 'POST', url: new URL('https://cbr.example.com/v3/p1/x'), headers: {}, body: Buffer.from(body),
    });
    expect(signRequest(req('{"a":1}'), key, now).Authorization).not.toBe(signRequest(req('{"a":2}'), key, now).Authorization);
  });
});

describe('canonical parts', () => {
  it('encodes per RFC 3986 with uppercase hex', () => {
    expect(encodeRfc3986("AZaz09-_.~!'()* /é+")).toBe('AZaz09-_.~%21%27%28%29%2A%20%2F%C3%A9%2B');
  });

  it('decodes each path segment once before encoding it (as the gateway does), keeping an encoded slash', () => {
    // The Node SDK skips the decoding and would sign %2520 here; the Go and Python signers agree with this.
    expect(canonicalUri(new URL('https://h/v1/a%20b/%E6%9D%B1/c%2Fd/%7Eu').pathname)).toBe('/v1/a%20b/%E6%9D%B1/c%2Fd/~u/');
    expect(canonicalUri('/v1/bad%zzpercent')).toBe('/v1/bad%25zzpercent/');
    expect(canonicalUri(new URL("https://h/v1/it's").pathname)).toBe('/v1/it%27s/');
    expect(canonicalUri('/')).toBe('/');
    expect(canonicalUri('/v1/vpcs/')).toBe('/v1/vpcs/');
  });

  it('sorts query keys and the values of a repeated key; + in a query means space', () => {
    expect(canonicalQuery(new URLSearchParams('b=2&a=z&a=y&c=x+y&d&e=%7E'))).toBe('a=y&a=z&b=2&c=x%20y&d=&e=~');
  });

  it('builds the canonical request line by line', () => {
    const { canonical, signedHeaders } = canonicalRequest({
      method: 'get',
      url: new URL('https://h.example.com/v1/p?x=1'),
      headers: { Host: 'h.example.com', 'X-Sdk-Date': ' 20250101T000000Z ' },
    });
    expect(signedHeaders).toBe('host;x-sdk-date');
    expect(canonical.split('\n')).toEqual([
      'GET', '/v1/p/', 'x=1', 'host:h.example.com', 'x-sdk-date:20250101T000000Z', '', 'host;x-sdk-date',
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    ]);
  });

  it('formats and parses X-Sdk-Date', () => {
    expect(formatSdkDate(new Date('2019-11-15T03:36:55.987Z'))).toBe('20191115T033655Z');
    expect(parseSdkDate('20191115T033655Z')).toBe(Date.UTC(2019, 10, 15, 3, 36, 55));
    expect(parseSdkDate('20191315T033655Z')).toBeUndefined();
    expect(parseSdkDate('2019-11-15T03:36:55Z')).toBeUndefined();
  });

  it('parses an Authorization header and refuses other schemes', () => {
    expect(parseAuthorization('SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host;x-sdk-date, Signature=ABCdef01')).toEqual({
      access: 'AK1', signedHeaders: ['host', 'x-sdk-date'], signature: 'abcdef01',
    });
    expect(parseAuthorization('AWS4-HMAC-SHA256 Credential=x')).toBeUndefined();
  });
});
