/**
 * GET /api/v1/sources/top and /api/v1/sources/{ip} through the real submission path (signed batches, bus,
 * aggregator, SQLite store): rankings and sums over days, canonical addresses, clear 400s, and the documented
 * response fields.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { SourceResponse, TopSourcesResponse } from '../protocol/api-types.js';
import { DEFAULT_RETENTION } from '../pipeline/retention/index.js';
import { PACKAGE_ROOT } from './package-info.js';
import { T_EVENT, batchOf, ev, makeTestEnv } from './test-helpers.js';
import type { TestEnv } from './test-helpers.js';

const DAY = 86_400_000;
const TODAY = Math.floor(T_EVENT / DAY) * DAY;
let env: TestEnv;

beforeAll(async () => {
  env = await makeTestEnv({ config: { retention: { ...DEFAULT_RETENTION, source_days: 30 } } });
  const s = await env.enroll();
  const twoDaysAgo = T_EVENT - 2 * DAY;
  const events = [
    ev(23, '192.0.2.1', twoDaysAgo),
    ev(23, '192.0.2.1', twoDaysAgo + 1000),
    ev(23, '192.0.2.1', twoDaysAgo + 2000),
    ev(22, '192.0.2.1', twoDaysAgo + 3000),
    ev(23, '192.0.2.1', T_EVENT - 5000),
    ev(23, '192.0.2.1', T_EVENT - 4000),
    ev(53, '192.0.2.1', T_EVENT - 3000, { proto: 'udp' }),
    ev(445, '192.0.2.2', T_EVENT - 9000),
    ev(445, '192.0.2.2', T_EVENT - 8000),
    ev(445, '192.0.2.2', T_EVENT - 7000),
    ev(445, '192.0.2.2', T_EVENT - 6000),
    ev(22, '2001:db8::1', T_EVENT - DAY),
  ];
  const res = await env.submit(s, batchOf(events));
  expect(res.statusCode, res.body).toBe(200);
  await env.drain();
});
afterAll(async () => {
  await env.close();
});

const get = async <T>(url: string): Promise<{ status: number; body: T }> => {
  const res = await env.app.inject({ url });
  return { status: res.statusCode, body: res.json<T>() };
};

describe('GET /api/v1/sources/top', () => {
  it('ranks sources by events summed over the last days and merges their days', async () => {
    const { status, body } = await get<TopSourcesResponse>('/api/v1/sources/top?days=3');
    expect(status).toBe(200);
    expect(body.from).toBe(new Date(TODAY - 2 * DAY).toISOString());
    expect(body.to).toBe(new Date(TODAY + DAY).toISOString());
    expect(body.items.map((i) => [i.ip, i.events, i.days])).toEqual([
      ['192.0.2.1', 7, 2],
      ['192.0.2.2', 4, 1],
      ['2001:db8::1', 1, 1],
    ]);
    expect(body.items[0]).toMatchObject({
      ports: 3,
      sensors: 1,
      operators: 1,
      first_seen: new Date(T_EVENT - 2 * DAY).toISOString(),
      last_seen: new Date(T_EVENT - 3000).toISOString(),
      top_ports: [
        { proto: 'tcp', port: 23, events: 5 },
        { proto: 'tcp', port: 22, events: 1 },
        { proto: 'udp', port: 53, events: 1 },
      ],
    });
  });

  it('defaults to today and 25 sources, and honours limit', async () => {
    const today = await get<TopSourcesResponse>('/api/v1/sources/top');
    expect(today.body.days).toBe(1);
    expect(today.body.items.map((i) => [i.ip, i.events])).toEqual([
      ['192.0.2.2', 4],
      ['192.0.2.1', 3],
    ]);
    const one = await get<TopSourcesResponse>('/api/v1/sources/top?days=3&limit=1');
    expect(one.body.items.map((i) => i.ip)).toEqual(['192.0.2.1']);
  });

  it('refuses days outside 1..retention.source_days, bad limits and unknown parameters', async () => {
    for (const q of ['days=0', 'days=31', 'days=abc', 'days=-1', 'limit=0', 'limit=201', 'window=1h']) {
      const { status, body } = await get<{ code: string; message: string }>(`/api/v1/sources/top?${q}`);
      expect(status, q).toBe(400);
      expect(body.code, q).toBe('SW_BAD_REQUEST');
    }
    const over = await get<{ message: string }>('/api/v1/sources/top?days=31');
    expect(over.body.message).toMatch(/days: at most 30 days \(retention.source_days/);
    expect((await get('/api/v1/sources/top?days=30')).status).toBe(200);
  });
});

describe('GET /api/v1/sources/{ip}', () => {
  it("lists the source's days, oldest first, with their totals", async () => {
    const { status, body } = await get<SourceResponse>('/api/v1/sources/192.0.2.1?days=3');
    expect(status).toBe(200);
    expect(body.items.map((d) => [d.day, d.events, d.ports])).toEqual([
      [new Date(TODAY - 2 * DAY).toISOString(), 4, 2],
      [new Date(TODAY).toISOString(), 3, 2],
    ]);
    expect(body.items[0]?.top_ports).toEqual([
      { proto: 'tcp', port: 23, events: 3 },
      { proto: 'tcp', port: 22, events: 1 },
    ]);
    expect(body.summary).toMatchObject({ ip: '192.0.2.1', days: 2, events: 7, ports: 3 });
    const recent = await get<SourceResponse>('/api/v1/sources/192.0.2.1');
    expect(recent.body.days).toBe(7);
    expect(recent.body.items).toHaveLength(2);
    const todayOnly = await get<SourceResponse>('/api/v1/sources/192.0.2.1?days=1');
    expect(todayOnly.body.summary?.events).toBe(3);
  });

  it('finds an IPv6 source by any spelling of its address', async () => {
    const { status, body } = await get<SourceResponse>(
      `/api/v1/sources/${encodeURIComponent('2001:DB8:0::0:1')}`,
    );
    expect(status).toBe(200);
    expect(body.ip).toBe('2001:db8::1');
    expect(body.items.map((d) => d.events)).toEqual([1]);
  });

  it('answers an unseen source with no days', async () => {
    const { status, body } = await get<SourceResponse>('/api/v1/sources/198.51.100.7');
    expect(status).toBe(200);
    expect(body).toMatchObject({ ip: '198.51.100.7', summary: null, items: [] });
  });

  it('refuses what is not an IP address, and days out of range', async () => {
    for (const ip of [
      'not-an-ip',
      '1.2.3.4.5',
      '256.1.1.1',
      '01.2.3.4',
      'fe80::1%25eth0',
      ':::',
      'a'.repeat(60),
    ]) {
      const { status, body } = await get<{ code: string; message: string }>(`/api/v1/sources/${ip}`);
      expect(status, ip).toBe(400);
      expect(body.message, ip).toMatch(/^ip: /);
    }
    expect((await get('/api/v1/sources/192.0.2.1?days=31')).status).toBe(400);
    expect((await get('/api/v1/sources/192.0.2.1?limit=3')).status).toBe(400);
  });
});

describe('docs/openapi.yaml', () => {
  const doc = parseYaml(readFileSync(join(PACKAGE_ROOT, 'docs', 'openapi.yaml'), 'utf8')) as {
    components: { schemas: Record<string, { required?: string[] }> };
  };
  const required = (name: string): string[] => [...(doc.components.schemas[name]?.required ?? [])].sort();

  it('requires exactly the fields the responses carry', async () => {
    const top = (await get<TopSourcesResponse>('/api/v1/sources/top?days=3')).body;
    const one = (await get<SourceResponse>('/api/v1/sources/192.0.2.1?days=3')).body;
    for (const answer of [top, one]) expect(answer.attribution).toMatch(/DB-IP \(https:\/\/db-ip\.com\)/);
    const samples: Record<string, object | undefined | null> = {
      TopSourcesResponse: top,
      SourceSummary: top.items[0],
      SourcePort: top.items[0]?.top_ports[0],
      SourceResponse: one,
      SourceDay: one.items[0],
    };
    for (const [name, sample] of Object.entries(samples)) {
      expect(sample, name).toBeTruthy();
      expect(Object.keys(sample ?? {}).sort(), name).toEqual(required(name));
    }
  });
});
