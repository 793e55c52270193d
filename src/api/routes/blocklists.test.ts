/**
 * The public blocklist lists on a bare Fastify app with the project's error handling, a real SQLite store fed
 * through applyBatches and a real blocklist database: the lists and their reasons, every format, caching and
 * ETags, and the refusal of bad parameters.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../core/clock.js';
import { startBlocklistApp } from './blocklists.test-helpers.js';
import type { BlocklistApp } from './blocklists.test-helpers.js';
import type { BlocklistView } from '../../publish/blocklists/views.js';
import { validateStix } from '../../publish/stix/validate.js';

let env: BlocklistApp;
let app: FastifyInstance;
let eventClock: ManualClock;

beforeAll(async () => {
  env = await startBlocklistApp();
  ({ app, eventClock } = env);
});
afterAll(() => env.close());

const list = async (url: string) => (await app.inject({ url })).json<BlocklistView>();

describe('GET /api/v1/blocklists', () => {
  it('lists networks seen by two operators with their reasons, never the single-operator one', async () => {
    const body = await list('/api/v1/blocklists/networks');
    expect(body.items.map((i) => [i.cidr, i.events, i.sources, i.operators])).toEqual([
      ['203.0.113.0/24', 17, 2, 2],
      ['2001:db8:1::/48', 12, 1, 2],
    ]);
    expect(body.items[0]?.reason).toMatch(
      /17 events from 2 sources; seen by at least 2 sensors of 2 operators/,
    );
    expect(body.excluded.below_thresholds).toBe(1);
    expect(body.window).toEqual({
      days: 1,
      from: '2024-05-01T00:00:00.000Z',
      to: '2024-05-02T00:00:00.000Z',
    });
    const sources = await list('/api/v1/blocklists/sources?days=7');
    // 12 events each: the tie is broken by the CIDR text.
    expect(sources.items.map((i) => [i.value, i.events])).toEqual([
      ['2001:db8:1::5', 12],
      ['203.0.113.7', 12],
    ]);
    expect((await list('/api/v1/blocklists/sources?days=7&limit=1')).items).toHaveLength(1);
  });

  it('serves every format with its content type', async () => {
    const cases: Array<[string, RegExp, RegExp]> = [
      ['networks.txt', /^text\/plain/, /^203\.0\.113\.0\/24$/m],
      ['networks.ipset', /^text\/plain/, /^add stormwatch-v6-tmp 2001:db8:1::\/48 -exist$/m],
      ['networks.nft', /^text\/plain/, /elements = \{\n {6}203\.0\.113\.0\/24\n/],
      ['networks.pf', /^text\/plain/, /^2001:db8:1::\/48$/m],
      ['sources.csv', /^text\/csv/, /^cidr,value,family/],
      ['sources.txt', /^text\/plain/, /^203\.0\.113\.7$/m],
    ];
    for (const [file, type, content] of cases) {
      const res = await app.inject({ url: `/api/v1/blocklists/${file}` });
      expect(res.statusCode, file).toBe(200);
      expect(res.headers['content-type'], file).toMatch(type);
      expect(res.body, file).toMatch(content);
    }
    const stix = await app.inject({ url: '/api/v1/blocklists/networks.stix.json' });
    expect(stix.headers['content-type']).toBe('application/stix+json;version=2.1');
    expect(validateStix(stix.json())).toEqual([]);
  });

  it('answers the same bytes and ETag within the minute, and 304 to If-None-Match', async () => {
    const a = await app.inject({ url: '/api/v1/blocklists/networks.txt' });
    const b = await app.inject({ url: '/api/v1/blocklists/networks.txt' });
    expect(b.body).toBe(a.body);
    expect(a.headers.etag).toMatch(/^"[\w-]{32}"$/);
    expect(a.headers['cache-control']).toBe('public, max-age=60');
    const again = await app.inject({
      url: '/api/v1/blocklists/networks.txt',
      headers: { 'if-none-match': String(a.headers.etag) },
    });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    eventClock.advance(60_000);
    const next = await app.inject({ url: '/api/v1/blocklists/networks.txt' });
    expect(next.headers.etag).not.toBe(a.headers.etag); // the header's "Generated" minute moved
  });

  it.each([
    ['/api/v1/blocklists/networks?days=8', 400, /days/],
    ['/api/v1/blocklists/networks?days=0', 400, /days/],
    ['/api/v1/blocklists/networks.txt?limit=abc', 400, /limit/],
    ['/api/v1/blocklists/networks?format=txt', 400, /format: unknown parameter/],
    ['/api/v1/blocklists/networks.exe', 404, /./],
    ['/api/v1/blocklists/everything', 404, /./],
  ])('refuses %s', async (url, status, message) => {
    const res = await app.inject({ url });
    expect(res.statusCode).toBe(status);
    expect(res.json<{ message: string }>().message).toMatch(message);
  });
});
