import { describe, expect, it } from 'vitest';
import type { PairStatus } from '../../src/collect/snapshot.js';
import { landingPage } from '../../src/server/landing-page.js';

describe('landingPage', () => {
  it('escapes every text that reaches the HTML, upstream error text included', () => {
    const hostile = '<script>alert("x")</script>&\'';
    const status = {
      pair: { key: 'k', source: 'cbr', projectId: hostile, region: hostile },
      attempted: true, up: false, lastError: `HTTP 500: ${hostile}`, unreachable: 0,
    } as unknown as PairStatus;
    const page = landingPage({ version: hostile, telemetryPath: '/metrics"><img src=x>', statuses: [status] });
    expect(page).not.toContain('<script>');
    expect(page).not.toContain('<img');
    expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;');
    // Only the page's own tags remain.
    const tags = new Set([...page.matchAll(/<\/?([a-z!][a-z0-9]*)/gi)].map((m) => m[1]?.toLowerCase()));
    expect([...tags].sort()).toEqual(['!doctype', 'a', 'body', 'h1', 'head', 'html', 'meta', 'p', 'table', 'td', 'th', 'title', 'tr']);
  });
});
