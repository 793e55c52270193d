/**
 * The advisory routes on a bare Fastify app with real SQLite: the server's store (incident and hourly rollups
 * written through its own methods, advisory tables by its migrations), drafting through makeIncidentDrafter,
 * called with app.inject().
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.js';
import { createAdvise } from '../../pipeline/advise/index.js';
import type { PublishedHook } from '../../pipeline/advise/index.js';
import { correlation1025, incident1025, NOW, seedIncidentStore } from '../../pipeline/advise/test-helpers.js';
import type {
  AdvisoriesResponse,
  AdvisoryHistoryResponse,
  AdvisoryView,
} from '../../protocol/advisory-types.js';
import type { ErrorBody } from '../../protocol/api-types.js';
import { openSqliteStore } from '../../store/sqlite/index.js';
import type { Store } from '../../store/store.js';
import { installErrorHandling } from '../errors.js';
import { advisoryRoutes } from './advisories.js';

const TOKEN = 'swa_test-admin-token-0123456789';
const INCIDENT = incident1025().id;
let dir: string;
let store: Store;
let app: FastifyInstance;
let published: AdvisoryView[];
let logLines: string[];

async function build(hook?: PublishedHook): Promise<void> {
  const logger = pino({ level: 'error' }, { write: (s: string) => void logLines.push(s) });
  const advise = createAdvise({
    store,
    advisories: store.advisories,
    correlate: () => correlation1025(),
    eventClock: new ManualClock(NOW),
    authClock: new ManualClock(Date.parse('2030-01-01T00:00:00Z')),
    logger,
    suggestion: () => ({ level: 'normal', reason: 'none', incidents: [] }),
    onPublished: hook ?? ((a) => void published.push(a)),
  });
  app = Fastify();
  installErrorHandling(app, logger);
  advisoryRoutes(app, { workflow: advise.workflow, adminToken: TOKEN });
  await app.ready();
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sw-adv-routes-'));
  const path = join(dir, 'stormwatch.db');
  store = openSqliteStore({ path, seed: new Uint8Array(16).fill(7), logger: pino({ level: 'silent' }) });
  published = [];
  logLines = [];
  seedIncidentStore(store);
  await build();
});
afterEach(async () => {
  await app.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const auth = { authorization: `Bearer ${TOKEN}` };
const call = (o: InjectOptions & { admin?: boolean }) =>
  app.inject({ ...o, headers: { ...(o.admin ? auth : {}), ...(o.headers ?? {}) } });
const create = (payload: object = { incident_id: INCIDENT, actor: 'ana' }) =>
  call({ method: 'POST', url: '/api/v1/advisories', payload, admin: true });
const move = (id: string, to: string, extra: object = {}) =>
  call({
    method: 'POST',
    url: `/api/v1/advisories/${id}/transition`,
    payload: { to, actor: 'bob', ...extra },
    admin: true,
  });
async function publishedAdvisory(): Promise<string> {
  const id = (await create()).json<AdvisoryView>().id;
  expect((await move(id, 'in_review')).statusCode).toBe(200);
  expect((await move(id, 'published')).statusCode).toBe(200);
  return id;
}

describe('drafting through the API', () => {
  it('drafts from a stored incident with its real hourly series, once', async () => {
    const res = await create();
    expect(res.statusCode).toBe(201);
    const a = res.json<AdvisoryView>();
    expect(a).toMatchObject({
      status: 'draft',
      version: 1,
      incident_id: INCIDENT,
      proto: 'tcp',
      port: 1025,
      origin: 'auto',
      created_by: 'ana',
    });
    expect(a.title).toBe('Surge of scanning on TCP/1025 (Microsoft RPC dynamic ports)');
    const pts = a.fields.chart.points;
    // A day before the activity began, up to the last complete hour before the event clock's now.
    expect([pts[0]?.t, pts.at(-1)?.t, pts.length]).toEqual([
      '2007-04-14T07:00:00.000Z',
      '2007-04-16T11:00:00.000Z',
      53,
    ]);
    expect(pts.find((p) => p.t === '2007-04-15T12:00:00.000Z')).toMatchObject({ sources: 40, expected: 3 });
    expect(pts.find((p) => p.t === '2007-04-15T03:00:00.000Z')).toMatchObject({ sources: 3, expected: 3 });
    expect(a.body_html).toContain('<h2>What we have not confirmed</h2>');
    const again = await create();
    expect(again.statusCode).toBe(200);
    expect(again.json<AdvisoryView>().id).toBe(a.id);
    const manual = await create({ incident_id: INCIDENT, actor: 'ana', manual: true });
    expect(manual.statusCode).toBe(201);
    expect(manual.json<AdvisoryView>().id).not.toBe(a.id);
    const unknown = await create({ incident_id: 'in_tcp_9_1', actor: 'ana' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json<ErrorBody>().code).toBe('SW_NOT_FOUND');
  });

  it('refuses admin routes without the token, and a wrong token anywhere', async () => {
    expect(
      (
        await call({
          method: 'POST',
          url: '/api/v1/advisories',
          payload: { incident_id: INCIDENT, actor: 'a' },
        })
      ).statusCode,
    ).toBe(401);
    const wrong = await call({
      method: 'GET',
      url: '/api/v1/advisories',
      headers: { authorization: 'Bearer nope-nope-nope' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json<ErrorBody>().code).toBe('SW_AUTH_ADMIN');
    const id = (await create()).json<AdvisoryView>().id;
    expect((await call({ method: 'GET', url: `/api/v1/advisories/${id}/history` })).statusCode).toBe(401);
    expect((await call({ method: 'PUT', url: `/api/v1/advisories/${id}`, payload: {} })).statusCode).toBe(
      401,
    );
  });
});

describe('workflow through the API', () => {
  it('publishes: the hook gets the public view, the public sees it without actor names', async () => {
    const id = (await create()).json<AdvisoryView>().id;
    expect((await call({ method: 'GET', url: `/api/v1/advisories/${id}` })).statusCode).toBe(404);
    expect(
      (await call({ method: 'GET', url: '/api/v1/advisories' })).json<AdvisoriesResponse>().items,
    ).toEqual([]);
    await move(id, 'in_review');
    const pub = await move(id, 'published', { note: 'approved' });
    expect(pub.json<AdvisoryView>()).toMatchObject({ status: 'published', published_version: 1 });
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({ id, status: 'published', version: 1 });
    expect(published[0]?.created_by).toBeUndefined();
    const pub1 = (await call({ method: 'GET', url: `/api/v1/advisories/${id}` })).json<AdvisoryView>();
    expect(pub1).toMatchObject({ id, status: 'published', published_at: '2030-01-01T00:00:00.000Z' });
    expect(pub1.created_by).toBeUndefined();
    const list = (await call({ method: 'GET', url: '/api/v1/advisories' })).json<AdvisoriesResponse>();
    expect(list.items.map((i) => i.id)).toEqual([id]);
    const adminDrafts = await call({
      method: 'GET',
      url: '/api/v1/advisories?status=draft,in_review',
      admin: true,
    });
    expect(adminDrafts.json<AdvisoriesResponse>().items).toEqual([]);
  });

  it('edits with a base version, refuses stale edits and illegal transitions with the current state', async () => {
    const id = await publishedAdvisory();
    const edit = (base: number, extra: object = { summary: 'Revised.' }) =>
      call({
        method: 'PUT',
        url: `/api/v1/advisories/${id}`,
        payload: { base_version: base, actor: 'ana', change_note: 'revised', ...extra },
        admin: true,
      });
    const ok = await edit(1);
    expect(ok.statusCode).toBe(200);
    expect(ok.json<AdvisoryView>()).toMatchObject({ version: 2, summary: 'Revised.', status: 'published' });
    const stale = await edit(1);
    expect(stale.statusCode).toBe(409);
    expect(stale.json<ErrorBody>()).toMatchObject({
      code: 'SW_CONFLICT',
      details: { status: 'published', version: 2 },
    });
    const illegal = await move(id, 'draft');
    expect(illegal.statusCode).toBe(409);
    expect(illegal.json<ErrorBody>().details).toMatchObject({
      status: 'published',
      allowed: ['updated', 'withdrawn'],
    });
    expect((await call({ method: 'GET', url: `/api/v1/advisories/${id}?version=2` })).statusCode).toBe(404);
    expect((await move(id, 'updated', { version: 2 })).json<AdvisoryView>().status).toBe('updated');
    expect(
      (await call({ method: 'GET', url: `/api/v1/advisories/${id}` })).json<AdvisoryView>().summary,
    ).toBe('Revised.');
    expect(published.map((p) => p.version)).toEqual([1, 2]);
    const h = (
      await call({ method: 'GET', url: `/api/v1/advisories/${id}/history`, admin: true })
    ).json<AdvisoryHistoryResponse>();
    expect(h.versions.map((v) => [v.version, v.actor])).toEqual([
      [1, 'ana'],
      [2, 'ana'],
    ]);
    expect(h.audit.map((e) => e.detail)).toContain('published → updated at v2');
  });

  it('keeps the publication when the hook throws, and logs it', async () => {
    await app.close();
    await build(() => {
      throw new Error('dispatcher exploded');
    });
    const id = await publishedAdvisory();
    expect((await call({ method: 'GET', url: `/api/v1/advisories/${id}` })).json<AdvisoryView>().status).toBe(
      'published',
    );
    expect(logLines.join('')).toContain('dispatcher exploded');
  });

  it('serves the chart as SVG and PNG with the visibility of the advisory', async () => {
    const id = (await create()).json<AdvisoryView>().id;
    expect((await call({ method: 'GET', url: `/api/v1/advisories/${id}/chart.svg` })).statusCode).toBe(404);
    const svg = await call({ method: 'GET', url: `/api/v1/advisories/${id}/chart.svg`, admin: true });
    expect(svg.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
    expect(svg.headers['content-security-policy']).toContain("default-src 'none'");
    expect(svg.body.startsWith('<svg')).toBe(true);
    const png = await call({ method: 'GET', url: `/api/v1/advisories/${id}/chart.png?scale=2`, admin: true });
    expect(png.headers['content-type']).toBe('image/png');
    expect(png.rawPayload.readUInt32BE(16)).toBe(1520);
    for (const q of ['chart.png?scale=9', 'chart.svg?scale=2'])
      expect(
        (await call({ method: 'GET', url: `/api/v1/advisories/${id}/${q}`, admin: true })).statusCode,
      ).toBe(400);
  });
});

describe('hostile input', () => {
  it('refuses malformed bodies, naming the field', async () => {
    const id = (await create()).json<AdvisoryView>().id;
    const cases: Array<[string, string, object]> = [
      ['POST', '/api/v1/advisories', { incident_id: INCIDENT }],
      ['POST', '/api/v1/advisories', { incident_id: INCIDENT, actor: 'x'.repeat(65) }],
      ['POST', '/api/v1/advisories', { incident_id: INCIDENT, actor: 'a\u0007b' }],
      ['POST', '/api/v1/advisories', { incident_id: 'in_../etc', actor: 'a' }],
      ['POST', '/api/v1/advisories', { incident_id: INCIDENT, actor: 'a', role: 'root' }],
      ['PUT', `/api/v1/advisories/${id}`, { base_version: 1, actor: 'a', change_note: 'x' }],
      ['PUT', `/api/v1/advisories/${id}`, { base_version: '1', actor: 'a', change_note: 'x', title: 't' }],
      [
        'PUT',
        `/api/v1/advisories/${id}`,
        { base_version: 1, actor: 'a', change_note: 'x', body_md: 'y'.repeat(100_001) },
      ],
      ['POST', `/api/v1/advisories/${id}/transition`, { to: 'deleted', actor: 'a' }],
    ];
    for (const [method, url, payload] of cases) {
      const res = await call({ method, url, payload, admin: true });
      expect(res.statusCode, JSON.stringify(payload).slice(0, 80)).toBe(400);
      expect(res.json<ErrorBody>().code).toBe('SW_BAD_REQUEST');
    }
    const missing = await call({
      method: 'POST',
      url: '/api/v1/advisories',
      payload: { incident_id: INCIDENT },
      admin: true,
    });
    expect(missing.json<ErrorBody>().message).toContain('actor');
    const garbage = await call({
      method: 'POST',
      url: '/api/v1/advisories',
      payload: '{"incident_id":',
      headers: { 'content-type': 'application/json' },
      admin: true,
    });
    expect(garbage.statusCode).toBe(400);
  });

  it('refuses oversized bodies, bad ids, unknown ids and unknown query parameters', async () => {
    const id = (await create()).json<AdvisoryView>().id;
    const huge = await call({
      method: 'PUT',
      url: `/api/v1/advisories/${id}`,
      payload: { base_version: 1, actor: 'a', change_note: 'x', body_md: 'y'.repeat(300 * 1024) },
      admin: true,
    });
    expect(huge.statusCode).toBe(413);
    expect(huge.json<ErrorBody>().code).toBe('SW_BODY_TOO_LARGE');
    expect(
      (await call({ method: 'GET', url: '/api/v1/advisories/adv_0000000000000000', admin: true })).statusCode,
    ).toBe(404);
    expect((await call({ method: 'GET', url: '/api/v1/advisories/adv_XYZ', admin: true })).statusCode).toBe(
      400,
    );
    expect(
      (await call({ method: 'GET', url: `/api/v1/advisories/${id}?version=99`, admin: true })).statusCode,
    ).toBe(404);
    expect((await call({ method: 'GET', url: '/api/v1/advisories?colour=red' })).statusCode).toBe(400);
    expect(
      (await call({ method: 'GET', url: '/api/v1/advisories?status=bogus', admin: true })).statusCode,
    ).toBe(400);
    expect((await move('adv_0000000000000000', 'in_review')).statusCode).toBe(404);
    const trailing = await call({ method: 'GET', url: '/api/v1/advisories?status=draft,', admin: true });
    expect(trailing.statusCode).toBe(400);
    // An empty filter is no filter.
    const all = await call({ method: 'GET', url: '/api/v1/advisories?status=&incident=', admin: true });
    expect(all.json<AdvisoriesResponse>().items.map((i) => i.id)).toEqual([id]);
  });
});
