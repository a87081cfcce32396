import { createHash, createHmac } from 'node:crypto';
import type { OutgoingRequest } from './request.js';

/**
 * Huawei Cloud AK/SK request signing (SDK-HMAC-SHA256), as the API request signing guide and the
 * official SDK signers describe it. Pure functions: the caller supplies the clock.
 */

export const SIGNING_ALGORITHM = 'SDK-HMAC-SHA256';

/** An access key pair; `securityToken` is present for temporary (STS) keys. */
export interface SigningKey {
  ak: string;
  sk: string;
  securityToken?: string;
}

/** What the signature covers. `headers` holds exactly the signed headers, names in lowercase. */
export interface SignedParts {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: Uint8Array;
}

/** `Authorization: SDK-HMAC-SHA256 Access=..., SignedHeaders=..., Signature=...`, taken apart. */
export interface ParsedAuthorization {
  access: string;
  signedHeaders: string[];
  signature: string;
}

/** Headers the signer sets itself; a stale copy from an earlier attempt must not be signed again. */
const OWN_HEADERS = new Set(['authorization', 'x-sdk-date', 'x-security-token', 'x-auth-token']);

/** RFC 3986 percent-encoding: only `A-Z a-z 0-9 - _ . ~` stay; hex digits are uppercase. */
export function encodeRfc3986(text: string): string {
  // encodeURIComponent leaves !'()* alone, which RFC 3986 reserves.
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // a stray `%` is taken literally, as the server sees it
  }
}

/**
 * Each path segment decoded once, then RFC 3986 encoded, plus a trailing `/`. Decoding first is what
 * the gateway and the Go/Python/Java signers do; the Node SDK skips it and would double-encode a `%`.
 */
export function canonicalUri(pathname: string): string {
  const path = pathname
    .split('/')
    .map((segment) => encodeRfc3986(decodeSegment(segment)))
    .join('/');
  return path.endsWith('/') ? path : `${path}/`;
}

/** `key=value` pairs joined by `&`, keys sorted, values of a repeated key sorted, all RFC 3986 encoded. */
export function canonicalQuery(params: URLSearchParams): string {
  const byKey = new Map<string, string[]>();
  for (const [key, value] of params) {
    const values = byKey.get(key);
    if (values) values.push(value);
    else byKey.set(key, [value]);
  }
  const pairs: string[] = [];
  for (const key of [...byKey.keys()].sort()) {
    for (const value of (byKey.get(key) ?? []).sort()) pairs.push(`${encodeRfc3986(key)}=${encodeRfc3986(value)}`);
  }
  return pairs.join('&');
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The canonical request and the `;`-joined list of signed header names. */
export function canonicalRequest(parts: SignedParts): { canonical: string; signedHeaders: string } {
  const lowered = Object.fromEntries(Object.entries(parts.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const names = Object.keys(lowered).sort();
  // Values trimmed: HTTP parsers strip surrounding whitespace, so the server can only sign the trimmed form.
  const canonicalHeaders = names.map((name) => `${name}:${(lowered[name] ?? '').trim()}\n`).join('');
  const signedHeaders = names.join(';');
  const canonical = [
    parts.method.toUpperCase(),
    canonicalUri(parts.url.pathname),
    canonicalQuery(parts.url.searchParams),
    canonicalHeaders,
    signedHeaders,
    sha256Hex(parts.body ?? new Uint8Array()),
  ].join('\n');
  return { canonical, signedHeaders };
}

export function stringToSign(sdkDate: string, canonical: string): string {
  return `${SIGNING_ALGORITHM}\n${sdkDate}\n${sha256Hex(canonical)}`;
}

export function signatureOf(sk: string, toSign: string): string {
  return createHmac('sha256', sk).update(toSign).digest('hex');
}

/** `YYYYMMDDTHHMMSSZ` in UTC, the `X-Sdk-Date` format. */
export function formatSdkDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

/** Milliseconds since the epoch for a well-formed `X-Sdk-Date`, else undefined. */
export function parseSdkDate(text: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  return formatSdkDate(new Date(ms)) === text ? ms : undefined; // rejects 20191332T...
}

export function parseAuthorization(value: string): ParsedAuthorization | undefined {
  const m = /^SDK-HMAC-SHA256\s+Access=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-fA-F]+)\s*$/.exec(value);
  if (!m) return undefined;
  return { access: m[1] as string, signedHeaders: (m[2] as string).split(';'), signature: (m[3] as string).toLowerCase() };
}

/**
 * The headers that authenticate `req` with `key` at `now`: `X-Sdk-Date`, `X-Security-Token` (temporary
 * keys) and `Authorization`. Every header already on the request is signed too, as the SDK does, plus
 * `host` (the URL's, port included when not the scheme's default, unless the request sets one).
 */
export function signRequest(req: OutgoingRequest, key: SigningKey, now: Date): Record<string, string> {
  const sdkDate = formatSdkDate(now);
  const signed: Record<string, string> = { host: req.url.host };
  for (const [name, value] of Object.entries(req.headers)) {
    const lower = name.toLowerCase();
    if (!OWN_HEADERS.has(lower)) signed[lower] = value;
  }
  signed['x-sdk-date'] = sdkDate;
  const added: Record<string, string> = { 'X-Sdk-Date': sdkDate };
  if (key.securityToken) {
    signed['x-security-token'] = key.securityToken;
    added['X-Security-Token'] = key.securityToken;
  }
  const { canonical, signedHeaders } = canonicalRequest({ method: req.method, url: req.url, headers: signed, body: req.body });
  const signature = signatureOf(key.sk, stringToSign(sdkDate, canonical));
  added.Authorization = `${SIGNING_ALGORITHM} Access=${key.ak}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return added;
}
