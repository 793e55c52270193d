/**
 * The delisting path and the allowlist on a bare Fastify app with the project's error handling and real
 * SQLite databases: validation of public requests, the per-client limit and the pending cap, and the admin
 * decisions and allowlist changes that remove networks from the lists at once.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../core/clock.js';
import { startBlocklistApp, TOKEN } from './blocklists.test-helpers.js';
import type { BlocklistApp } from './blocklists.test-helpers.js';
import type { BlocklistView } from '../../publish/blocklists/views.js';

const AUTH = { authorization: `Bearer ${TOKEN}` };
let env: BlocklistApp;
let app: FastifyInstance;
let authClock: ManualClock;

beforeAll(async () => {
  env = await startBlocklistApp();
  ({ app, authClock } = env);
});
afterAll(() => env.close());

const list = async (url: string) => (await app.inject({ url })).json<BlocklistView>();

const delist = (payload: unknown, ip = '192.0.2.50') =>
  app.inject({
    method: 'POST',
    url: '/api/v1/blocklists/delist',
    payload: payload as object,
    remoteAddress: ip,
  });

describe('delisting and the allowlist', () => {
  it('validates public requests before doing anything', async () => {
    const ok = { network: '203.0.113.0/24', contact: 'noc@example.org', reason: 'this is our NAT pool' };
    for (const [payload, message] of [
      [{ ...ok, network: '203.0.113.7/24' }, /network: expected an IPv4 or IPv6 address or CIDR/],
      [{ ...ok, network: '10.0.0.0/8' }, /network: at most a \/16/],
      [{ ...ok, network: '10.1.0.0/16' }, /never listed/],
      [{ ...ok, network: 'x'.repeat(500) }, /network: at most 49/],
      [{ ...ok, contact: undefined }, /contact/],
      [{ ...ok, reason: 'short' }, /reason: at least 10/],
      [{ ...ok, contact: 'a\u0000b@example.org' }, /control characters/],
      [{ ...ok, extra: 1 }, /extra: unknown parameter/],
    ] as const) {
      const res = await delist(payload, '192.0.2.99');
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json<{ message: string }>().message).toMatch(message);
    }
    const notJson = await app.inject({
      method: 'POST',
      url: '/api/v1/blocklists/delist',
      payload: '{',
      headers: { 'content-type': 'application/json' },
    });
    expect(notJson.statusCode).toBe(400);
  });

  it('queues a request, rate-limits a client, and caps the pending queue', async () => {
    const first = await delist({
      network: '203.0.113.0/24',
      contact: 'noc@example.org',
      reason: 'this is our NAT pool',
    });
    expect(first.statusCode).toBe(202);
    const body = first.json<{ id: string; status: string; network: string; created: boolean }>();
    expect(body).toMatchObject({ status: 'pending', network: '203.0.113.0/24', created: true });
    expect(Object.keys(body).sort()).toEqual(['created', 'id', 'network', 'status']);
    const dup = await delist({
      network: '203.0.113.0/24',
      contact: 'x@example.org',
      reason: 'the same network again',
    });
    expect(dup.json()).toMatchObject({ id: body.id, created: false });
    await delist({ network: '2001:db8:1::/48', contact: 'noc@example.org', reason: 'ipv6 lab network here' });
    const limited = await delist({
      network: '198.51.100.0/24',
      contact: 'n@example.org',
      reason: 'fourth request now',
    });
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    for (const ip of ['192.0.2.61', '192.0.2.62'])
      expect(
        (
          await delist(
            { network: `198.51.${ip.slice(-2)}.0/24`, contact: 'n@example.org', reason: 'another network' },
            ip,
          )
        ).statusCode,
      ).toBe(202);
    const full = await delist(
      { network: '198.51.70.0/24', contact: 'n@example.org', reason: 'queue is full now' },
      '192.0.2.63',
    );
    expect(full.statusCode).toBe(429);
    expect(full.json<{ message: string }>().message).toMatch(/waiting for review/);
  });

  it('lets only the admin see and decide requests; approval delists the network at once', async () => {
    expect((await app.inject({ url: '/api/v1/admin/delist-requests' })).statusCode).toBe(401);
    const pending = (await app.inject({ url: '/api/v1/admin/delist-requests', headers: AUTH })).json<{
      items: Array<{ id: string; network: string; contact: string }>;
    }>();
    const req = pending.items.find((i) => i.network === '203.0.113.0/24');
    expect(req?.contact).toBe('noc@example.org');
    const url = `/api/v1/admin/delist-requests/${req?.id ?? ''}`;
    const bad = await app.inject({
      method: 'POST',
      url,
      headers: AUTH,
      payload: { decision: 'maybe', actor: 'a' },
    });
    expect(bad.statusCode).toBe(400);
    const ok = await app.inject({
      method: 'POST',
      url,
      headers: AUTH,
      payload: { decision: 'approve', actor: 'admin-a', expires_days: 30 },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({
      request: { status: 'approved', decided_by: 'admin-a' },
      allowlist_entry: {
        cidr: '203.0.113.0/24',
        active: true,
        expires_at: new Date(authClock.now() + 30 * 86_400_000).toISOString(),
      },
    });
    const twice = await app.inject({
      method: 'POST',
      url,
      headers: AUTH,
      payload: { decision: 'reject', actor: 'b' },
    });
    expect(twice.statusCode).toBe(409);
    const after = await list('/api/v1/blocklists/networks');
    expect(after.items.map((i) => i.cidr)).toEqual(['2001:db8:1::/48']);
    expect(after.excluded.allowlisted).toBe(1);
    const unknown = await app.inject({
      method: 'POST',
      url: '/api/v1/admin/delist-requests/dr_nope',
      headers: AUTH,
      payload: { decision: 'reject', actor: 'b' },
    });
    expect(unknown.statusCode).toBe(404);
  });

  it('manages the allowlist: add, list, delete, each change visible in the lists at once', async () => {
    const add = await app.inject({
      method: 'POST',
      url: '/api/v1/admin/allowlist',
      headers: AUTH,
      payload: { cidr: '2001:DB8:1::/48', reason: 'research partner', actor: 'admin-b' },
    });
    expect(add.statusCode).toBe(201);
    const entry = add.json<{ id: string; cidr: string; expires_at: null }>();
    expect(entry).toMatchObject({ cidr: '2001:db8:1::/48', expires_at: null });
    expect((await list('/api/v1/blocklists/networks')).items).toEqual([]);
    const all = (await app.inject({ url: '/api/v1/admin/allowlist', headers: AUTH })).json<{
      items: unknown[];
    }>();
    expect(all.items).toHaveLength(2);
    const bad = await app.inject({
      method: 'POST',
      url: '/api/v1/admin/allowlist',
      headers: AUTH,
      payload: { cidr: '2001:db8:1::1/48', reason: 'x y z', actor: 'a' },
    });
    expect(bad.statusCode).toBe(400);
    const del = await app.inject({
      method: 'DELETE',
      url: `/api/v1/admin/allowlist/${entry.id}`,
      headers: AUTH,
    });
    expect(del.json()).toEqual({ id: entry.id, removed: true });
    expect(
      (await app.inject({ method: 'DELETE', url: `/api/v1/admin/allowlist/${entry.id}`, headers: AUTH }))
        .statusCode,
    ).toBe(404);
    expect((await list('/api/v1/blocklists/networks')).items.map((i) => i.cidr)).toEqual(['2001:db8:1::/48']);
    expect(
      (await app.inject({ method: 'DELETE', url: `/api/v1/admin/allowlist/${entry.id}` })).statusCode,
    ).toBe(401);
  });
});
