/**
 * The feeds and the dead-letter admin routes on the full app (makeTestEnv: real SQLite, no channels): the notes
 * feed carries published notes only, sanitised; unknown feeds are 404; the admin routes need the token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestEnv } from '../test-helpers.js';
import type { TestEnv } from '../test-helpers.js';

describe('feeds and deliveries', () => {
  let env: TestEnv;
  const auth = (): Record<string, string> => ({ authorization: `Bearer ${env.adminToken}` });

  beforeAll(async () => {
    env = await makeTestEnv();
  });
  afterAll(() => env.close());

  it('serves published notes as Atom and RSS, sanitised, and never drafts', async () => {
    const create = async (title: string): Promise<{ id: string }> => {
      const res = await env.app.inject({
        method: 'POST',
        url: '/api/v1/notes',
        headers: auth(),
        payload: { title, body_md: 'Seen on **tcp/1025**. <script>alert(1)</script>', actor: 'tester' },
      });
      expect(res.statusCode).toBe(201);
      return res.json<{ id: string }>();
    };
    const shown = await create('RPC scanning notes');
    await create('A draft nobody may see');
    const pub = await env.app.inject({
      method: 'POST',
      url: `/api/v1/notes/${shown.id}/publish`,
      headers: auth(),
      payload: { actor: 'tester' },
    });
    expect(pub.statusCode).toBe(200);

    const atom = await env.app.inject({ url: '/feeds/notes.atom' });
    expect(atom.statusCode).toBe(200);
    expect(atom.headers['content-type']).toMatch(/^application\/atom\+xml/);
    expect(atom.body).toContain('RPC scanning notes');
    expect(atom.body).not.toContain('A draft nobody may see');
    expect(atom.body).not.toMatch(/<script|&lt;script/);
    const rss = await env.app.inject({ url: '/feeds/notes.rss' });
    expect(rss.headers['content-type']).toMatch(/^application\/rss\+xml/);
    expect(rss.body).toContain('<rss');
  });

  it('answers 404 for a feed that is not configured', async () => {
    const res = await env.app.inject({ url: '/feeds/nosuch.atom' });
    expect(res.statusCode).toBe(404);
    expect(res.json<{ code: string }>().code).toBe('SW_NOT_FOUND');
  });

  it('lists dead letters and refuses a requeue of an unknown one, for the admin only', async () => {
    expect((await env.app.inject({ url: '/api/v1/admin/deliveries/dead' })).statusCode).toBe(401);
    const dead = await env.app.inject({ url: '/api/v1/admin/deliveries/dead', headers: auth() });
    expect(dead.statusCode).toBe(200);
    expect(dead.json<{ items: unknown[] }>().items).toEqual([]);
    const re = await env.app.inject({
      method: 'POST',
      url: '/api/v1/admin/deliveries/7/requeue',
      headers: auth(),
    });
    expect(re.statusCode).toBe(404);
  });
});
