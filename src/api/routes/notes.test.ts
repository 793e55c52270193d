/** The notes routes on a bare Fastify app with a real SQLite advisory store, through app.inject(). */
import Fastify from 'fastify';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.js';
import { NoteService } from '../../pipeline/advise/notes/note-service.js';
import { tempAdvisoryDb } from '../../pipeline/advise/test-helpers.js';
import type { TempAdvisoryDb } from '../../pipeline/advise/test-helpers.js';
import type { NotesResponse, NoteView } from '../../protocol/advisory-types.js';
import type { ErrorBody } from '../../protocol/api-types.js';
import { installErrorHandling } from '../errors.js';
import { noteRoutes } from './notes.js';

const TOKEN = 'swa_test-admin-token-0123456789';
let t: TempAdvisoryDb;
let app: FastifyInstance;
let notes: NoteService;
const clock = new ManualClock(Date.parse('2030-01-01T00:00:00Z'));

beforeEach(async () => {
  t = tempAdvisoryDb();
  notes = new NoteService({ store: t.store, clock });
  app = Fastify();
  installErrorHandling(app, pino({ level: 'silent' }));
  noteRoutes(app, { notes, adminToken: TOKEN });
  await app.ready();
});
afterEach(async () => {
  await app.close();
  t.close();
});

const call = (o: InjectOptions & { admin?: boolean }) =>
  app.inject({ ...o, headers: o.admin ? { authorization: `Bearer ${TOKEN}` } : {} });
const links = { ports: ['TCP/1025'], incidents: ['in_tcp_1025_1176620400000'], ips: ['192.0.2.7'] };
const create = (
  payload: object = { title: 'RPC scanning', body_md: 'We see **more** scans.', links, actor: 'ana' },
) => call({ method: 'POST', url: '/api/v1/notes', payload, admin: true });

describe('notes routes', () => {
  it('creates a draft with canonical links and sanitised HTML, hidden from the public', async () => {
    const res = await create({
      title: 'XSS attempt',
      body_md: 'Hi <img src=x onerror=alert(1)> [x](JaVaScRiPt:alert(1)) <script>alert(2)</script>',
      links,
      actor: 'ana',
    });
    expect(res.statusCode).toBe(201);
    const n = res.json<NoteView>();
    expect(n).toMatchObject({ status: 'draft', version: 1, created_by: 'ana' });
    expect(n.links).toEqual({
      ports: ['tcp/1025'],
      incidents: ['in_tcp_1025_1176620400000'],
      advisories: [],
      ips: ['192.0.2.7'],
    });
    expect(n.body_html).toBe('<p>Hi  <a rel="noopener noreferrer">x</a> </p>\n');
    expect((await call({ method: 'GET', url: `/api/v1/notes/${n.id}` })).statusCode).toBe(404);
    expect((await call({ method: 'GET', url: '/api/v1/notes' })).json<NotesResponse>().items).toEqual([]);
    expect(
      (await call({ method: 'GET', url: '/api/v1/notes?status=draft' })).json<NotesResponse>().items,
    ).toEqual([]);
  });

  it('publishes, lists by link for the public (feed) without actor names, unpublishes', async () => {
    const n = (await create()).json<NoteView>();
    const other = (
      await create({ title: 'DNS', body_md: 'x', links: { ports: ['udp/53'] }, actor: 'bob' })
    ).json<NoteView>();
    const pub = await call({
      method: 'POST',
      url: `/api/v1/notes/${n.id}/publish`,
      payload: { actor: 'bob' },
      admin: true,
    });
    expect(pub.json<NoteView>()).toMatchObject({
      status: 'published',
      published_at: '2030-01-01T00:00:00.000Z',
    });
    const again = await call({
      method: 'POST',
      url: `/api/v1/notes/${n.id}/publish`,
      payload: { actor: 'bob' },
      admin: true,
    });
    expect(again.statusCode).toBe(409);
    expect(again.json<ErrorBody>().details).toMatchObject({ status: 'published' });
    const list = (await call({ method: 'GET', url: '/api/v1/notes?link=TCP/1025' })).json<NotesResponse>();
    expect(list.items.map((i) => i.id)).toEqual([n.id]);
    expect(list.items[0]?.created_by).toBeUndefined();
    expect(list.items[0]?.body_html).toBe('<p>We see <strong>more</strong> scans.</p>\n');
    expect(
      (await call({ method: 'GET', url: '/api/v1/notes?link=192.0.2.7' })).json<NotesResponse>().items,
    ).toHaveLength(1);
    expect(notes.publishedFeed(10).map((i) => i.id)).toEqual([n.id]);
    const all = (await call({ method: 'GET', url: '/api/v1/notes', admin: true })).json<NotesResponse>();
    expect(all.items.map((i) => i.id).sort()).toEqual([n.id, other.id].sort());
    await call({
      method: 'POST',
      url: `/api/v1/notes/${n.id}/unpublish`,
      payload: { actor: 'bob' },
      admin: true,
    });
    expect((await call({ method: 'GET', url: `/api/v1/notes/${n.id}` })).statusCode).toBe(404);
  });

  it('edits with a base version and refuses a stale one', async () => {
    const n = (await create()).json<NoteView>();
    const edit = (base: number) =>
      call({
        method: 'PUT',
        url: `/api/v1/notes/${n.id}`,
        payload: { base_version: base, actor: 'bob', title: 'New' },
        admin: true,
      });
    expect((await edit(1)).json<NoteView>()).toMatchObject({ version: 2, title: 'New', updated_by: 'bob' });
    const stale = await edit(1);
    expect(stale.statusCode).toBe(409);
    expect(stale.json<ErrorBody>()).toMatchObject({ code: 'SW_CONFLICT', details: { version: 2 } });
  });

  it('refuses hostile and malformed input', async () => {
    expect(
      (
        await call({
          method: 'POST',
          url: '/api/v1/notes',
          payload: { title: 't', body_md: 'b', actor: 'a' },
        })
      ).statusCode,
    ).toBe(401);
    const bad = await create({ title: 't', body_md: 'b', actor: 'a', links: { ips: ['999.1.1.1'] } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<ErrorBody>().message).toBe('links.ips[0]: "999.1.1.1" is not a valid ip');
    for (const payload of [
      { title: '', body_md: 'b', actor: 'a' },
      { title: 't', body_md: 'b' },
      { title: 't', body_md: 'b', actor: 'a', links: { hosts: ['x'] } },
      { title: 't', body_md: 'b'.repeat(50_001), actor: 'a' },
      { title: 't', body_md: 'b\u0000', actor: 'a' },
    ])
      expect((await create(payload)).statusCode, JSON.stringify(payload).slice(0, 60)).toBe(400);
    const huge = await create({ title: 't', body_md: 'b'.repeat(200_000), actor: 'a' });
    expect(huge.statusCode).toBe(413);
    expect((await call({ method: 'GET', url: '/api/v1/notes?link=nonsense' })).statusCode).toBe(400);
    expect(
      (await call({ method: 'GET', url: '/api/v1/notes/note_0000000000000000', admin: true })).statusCode,
    ).toBe(404);
    expect((await call({ method: 'GET', url: '/api/v1/notes/../../etc', admin: true })).statusCode).toBe(404);
    expect((await call({ method: 'GET', url: '/api/v1/notes/note_x', admin: true })).statusCode).toBe(400);
    const unknown = await call({
      method: 'PUT',
      url: '/api/v1/notes/note_0000000000000000',
      payload: { base_version: 1, actor: 'a', title: 'x' },
      admin: true,
    });
    expect(unknown.statusCode).toBe(404);
  });
});
