/**
 * The TAXII 2.1 read endpoint on a bare Fastify app with the project's error handling: discovery, API root,
 * collections, objects and manifest with their media type, the Accept check (406), paging with limit and next
 * over every object, added_after and match[] filters, TAXII error messages, and STIX that passes the schemas.
 * The blocklist collection comes from a real SQLite store; the advisories are a fixed list.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.js';
import { BlocklistService } from '../../publish/blocklists/service.js';
import { NOW, openTestData } from '../../publish/blocklists/test-helpers.js';
import type { TestData } from '../../publish/blocklists/test-helpers.js';
import type { StixAdvisoryInput } from '../../publish/stix/advisory.js';
import { makeBundle } from '../../publish/stix/objects.js';
import { COLLECTIONS } from '../../publish/stix/taxii/collections.js';
import type { StixObject } from '../../publish/stix/types.js';
import { validateStix } from '../../publish/stix/validate.js';
import { installErrorHandling } from '../errors.js';
import { taxiiRoutes } from './taxii.js';
import { webRoutes } from './web.js';

const TAXII = 'application/taxii+json;version=2.1';
const ACCEPT = { accept: TAXII };
const logger = pino({ level: 'silent' });
const [blocklistId, advisoriesId] = COLLECTIONS.map((c) => c.id);
const advisory = (id: string, port: number, published: string, cves: string[]): StixAdvisoryInput => ({
  id,
  title: `Activity on tcp/${port}`,
  summary: 'Rising across operators.',
  published: Date.parse(published),
  proto: 'tcp',
  port,
  cves,
  exploit_count: 1,
  block: [`tcp/${port}`],
});
const ADVISORIES = [
  advisory('adv_1', 1025, '2024-04-20T10:00:00Z', ['CVE-2007-1748']),
  advisory('adv_2', 445, '2024-04-25T10:00:00Z', ['CVE-2017-0144', 'CVE-2007-1748']),
  { ...advisory('adv_bad', 80, '2024-04-26T10:00:00Z', []), cves: ['not-a-cve'] },
];
let data: TestData;
let app: FastifyInstance;
const webRoot = mkdtempSync(join(tmpdir(), 'sw-taxii-web-'));

beforeAll(async () => {
  data = openTestData();
  const clock = new ManualClock(NOW);
  const service = new BlocklistService({
    sources: data.store,
    lists: data.lists,
    eventClock: clock,
    authClock: clock,
  });
  const httpLogger: FastifyBaseLogger = logger;
  app = Fastify({ loggerInstance: httpLogger });
  installErrorHandling(app, logger);
  taxiiRoutes(app, {
    logger,
    blocklist: () => service.build('sources', 7, 1000),
    advisories: () => ADVISORIES,
    publicUrl: 'https://stormwatch.example/',
    max_page: 4,
  });
  // The dashboard with its catch-all route, as the server has it.
  writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>dashboard</title>');
  await webRoutes(app, webRoot);
  await app.ready();
});
afterAll(async () => {
  await app.close();
  data.close();
  rmSync(webRoot, { recursive: true, force: true });
});

const get = async <T = Record<string, unknown>>(url: string, headers: Record<string, string> = ACCEPT) => {
  const res = await app.inject({ url, headers });
  return {
    status: res.statusCode,
    type: res.headers['content-type'],
    body: res.json<T>(),
    headers: res.headers,
  };
};

interface Envelope {
  more: boolean;
  next?: string;
  objects?: StixObject[];
}

describe('TAXII 2.1 resources', () => {
  it('answers discovery, API root, collections and a collection as taxii+json', async () => {
    const d = await get('/taxii2/');
    expect(d).toMatchObject({ status: 200, type: TAXII });
    expect(d.body).toMatchObject({
      api_roots: ['https://stormwatch.example/taxii2/api/'],
      default: 'https://stormwatch.example/taxii2/api/',
    });
    expect((await get('/taxii2/api/')).body).toMatchObject({ versions: [TAXII] });
    const cs = await get<{
      collections: Array<{ id: string; alias: string; can_read: boolean; can_write: boolean }>;
    }>('/taxii2/api/collections/');
    expect(cs.body.collections.map((c) => [c.alias, c.can_read, c.can_write])).toEqual([
      ['blocklist', true, false],
      ['advisories', true, false],
    ]);
    expect(cs.body.collections[0]?.id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect((await get(`/taxii2/api/collections/${blocklistId}/`)).body).toMatchObject({ alias: 'blocklist' });
  });

  it('answers 406 to an Accept that allows no TAXII 2.1, and serves */* and a missing Accept', async () => {
    for (const accept of [
      'application/json',
      'application/taxii+json;version=2.0',
      'text/html',
      `${TAXII};q=0`,
    ]) {
      const r = await get('/taxii2/api/collections/', { accept });
      expect(r.status, accept).toBe(406);
      expect(r.type).toBe(TAXII);
      expect(r.body).toMatchObject({ http_status: '406' });
    }
    for (const accept of ['*/*', 'application/taxii+json', 'text/html, application/*;q=0.5'])
      expect((await get('/taxii2/api/collections/', { accept })).status, accept).toBe(200);
    expect((await get('/taxii2/api/collections/', {})).status).toBe(200);
  });

  it('answers TAXII error messages for unknown collections, paths and bad parameters', async () => {
    const unknown = await get('/taxii2/api/collections/00000000-0000-4000-8000-000000000000/objects/');
    expect(unknown).toMatchObject({
      status: 404,
      type: TAXII,
      body: { http_status: '404', error_code: 'SW_NOT_FOUND' },
    });
    const nothing = await get('/taxii2/api/nothing/');
    expect(nothing).toMatchObject({ status: 404, type: TAXII, body: { http_status: '404' } });
    expect((await app.inject({ url: '/dashboard/page' })).body).toContain('<title>dashboard</title>');
    for (const q of [
      'limit=0',
      'added_after=yesterday',
      'next=garbage',
      'colour=blue',
      'match[version]=soon',
    ]) {
      const r = await get(`/taxii2/api/collections/${blocklistId}/objects/?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.body, q).toMatchObject({ http_status: '400', title: 'bad request' });
    }
  });
});

describe('objects and manifest', () => {
  it('serves the blocklist indicators and the identity, valid against the STIX schemas', async () => {
    const r = await get<Envelope>(`/taxii2/api/collections/${blocklistId}/objects/?limit=100`);
    expect(r.type).toBe(TAXII);
    const objects = r.body.objects ?? [];
    expect(objects.map((o) => o.type).sort()).toEqual(['identity', 'indicator', 'indicator']);
    expect(validateStix(makeBundle(objects))).toEqual([]);
    expect(r.headers['x-taxii-date-added-first']).toBe('2024-01-01T00:00:00.000Z');
  });

  it('pages with limit and next through every advisory object exactly once, leaving out a bad advisory', async () => {
    const seen: StixObject[] = [];
    let url = `/taxii2/api/collections/${advisoriesId}/objects/?limit=3`;
    for (let pages = 0; pages < 10; pages++) {
      const r = await get<Envelope>(url);
      expect(r.status).toBe(200);
      expect((r.body.objects ?? []).length).toBeLessThanOrEqual(3);
      seen.push(...(r.body.objects ?? []));
      if (!r.body.more) break;
      url = `/taxii2/api/collections/${advisoriesId}/objects/?limit=3&next=${r.body.next ?? ''}`;
    }
    const ids = seen.map((o) => o.id);
    expect(new Set(ids).size).toBe(ids.length);
    // identity + adv_1 (report, indicator, 1 CVE, 1 relationship) + adv_2 (report, indicator, 1 new CVE, 2 relationships)
    expect(seen.map((o) => o.type).sort()).toEqual(
      [
        'identity',
        'report',
        'indicator',
        'vulnerability',
        'relationship',
        'report',
        'indicator',
        'vulnerability',
        'relationship',
        'relationship',
      ].sort(),
    );
    expect(validateStix(makeBundle(seen))).toEqual([]);
    const all = await get<Envelope>(`/taxii2/api/collections/${advisoriesId}/objects/?limit=100`);
    expect(all.body.objects?.length).toBe(4); // cut to the server's page size
    expect(all.body.more).toBe(true);
  });

  it('filters by added_after, match[type] and match[id], and lists versions in the manifest', async () => {
    const base = `/taxii2/api/collections/${advisoriesId}`;
    const late = await get<Envelope>(`${base}/objects/?added_after=2024-04-21T00:00:00Z`);
    // adv_2's five objects (its new CVE included, whose created is the fixed time), cut to the page of 4.
    expect(late.body.objects).toHaveLength(4);
    expect(late.body.more).toBe(true);
    for (const o of late.body.objects ?? [])
      expect(['2024-04-25T10:00:00.000Z', '2024-01-01T00:00:00.000Z']).toContain(o.created);
    expect(late.body.objects?.some((o) => o.type === 'identity')).toBe(false);
    expect(Number(new Date(String(late.headers['x-taxii-date-added-first'])))).toBe(
      Date.parse('2024-04-25T10:00:00Z'),
    );
    const reports = await get<Envelope>(`${base}/objects/?match[type]=report,vulnerability`);
    expect(reports.body.objects?.map((o) => o.type).sort()).toEqual([
      'report',
      'report',
      'vulnerability',
      'vulnerability',
    ]);
    const one = reports.body.objects?.[0];
    const byId = await get<Envelope>(`${base}/objects/?match[id]=${one?.id ?? ''}&match[version]=last`);
    expect(byId.body.objects).toEqual([one]);
    const none = await get<Envelope>(`${base}/objects/?added_after=2030-01-01T00:00:00Z`);
    expect(none.body).toEqual({ more: false });
    const manifest = await get<{
      objects: Array<{ id: string; version: string; media_type: string; date_added: string }>;
    }>(`${base}/manifest/?match[type]=report`);
    expect(manifest.body.objects).toHaveLength(2);
    expect(manifest.body.objects[0]).toMatchObject({
      media_type: 'application/stix+json;version=2.1',
      version: '2024-04-20T10:00:00.000Z',
    });
  });
});
