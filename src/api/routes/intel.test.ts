/**
 * GET /api/v1/ports/{proto}/{port}/intel on the full app with the shipped knowledge: the 2007 case ranks the
 * Windows RPC dynamic ports and CVE-2007-1748 with its exploits, nothing is linked before its disclosure, and bad
 * parameters are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestEnv } from '../test-helpers.js';
import type { TestEnv } from '../test-helpers.js';

interface View {
  at: string;
  services: Array<{ name: string; reasons: string[] }>;
  vulnerabilities: Array<{ vulnerability: { id: string; published: string }; exploits: unknown[] }>;
  exploit_count: number;
  timeline: Array<{ at: string; kind: string }>;
}

describe('port intelligence', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await makeTestEnv();
  });
  afterAll(() => env.close());

  it('links tcp/1025 in April 2007 to the RPC dynamic ports, CVE-2007-1748 and its exploits', async () => {
    const res = await env.app.inject({ url: '/api/v1/ports/tcp/1025/intel?at=2007-04-16T09:00:00Z' });
    expect(res.statusCode).toBe(200);
    const v = res.json<View>();
    expect(v.at).toBe('2007-04-16T09:00:00.000Z');
    expect(v.services[0]?.name).toBe('msrpc-dynamic');
    expect(v.services[0]?.reasons.length).toBeGreaterThan(0);
    const top = v.vulnerabilities[0];
    expect(top?.vulnerability.id).toBe('CVE-2007-1748');
    expect(top?.vulnerability.published).toMatch(/^2007-04-1\dT/);
    expect(v.exploit_count).toBeGreaterThanOrEqual(1);
    expect(v.timeline.map((t) => t.kind)).toContain('disclosed');
  });

  it('links nothing disclosed after the moment judged from', async () => {
    const v = (
      await env.app.inject({ url: '/api/v1/ports/tcp/1025/intel?at=2007-01-01T00:00:00Z' })
    ).json<View>();
    expect(v.vulnerabilities.map((r) => r.vulnerability.id)).not.toContain('CVE-2007-1748');
  });

  it('refuses a bad protocol, port or time', async () => {
    for (const url of [
      '/api/v1/ports/xyz/1025/intel',
      '/api/v1/ports/tcp/70000/intel',
      '/api/v1/ports/tcp/1025/intel?at=yesterday',
    ]) {
      expect((await env.app.inject({ url })).statusCode, url).toBe(400);
    }
  });
});
