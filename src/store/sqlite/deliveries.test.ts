/** The SQLite outbox on a real database file: idempotent enqueue, due order, retries, dead letters, feeds. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteDeliveryStore } from './deliveries.js';
import { DELIVERY_MIGRATION } from './migration-deliveries.js';

const dir = mkdtempSync(join(tmpdir(), 'sw-deliveries-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

function open(path = join(dir, `d${n++}.db`)): { db: Database.Database; path: string } {
  const db = new Database(path);
  db.exec(DELIVERY_MIGRATION.sql);
  return { db, path };
}

const msg = (id: string, created_at = 1000) => ({
  id,
  kind: 'advisory.published',
  created_at,
  body: `{"id":"${id}"}`,
});

describe('sqlite delivery store', () => {
  it('enqueues one row per channel in one go, and a known message id adds nothing', () => {
    const { db } = open();
    const s = createSqliteDeliveryStore(db);
    expect(s.enqueue(msg('a:1'), ['x', 'y', 'x'], 10)).toEqual({ created: true, deliveries: 2 });
    expect(s.enqueue(msg('a:1'), ['x', 'y', 'z'], 20)).toEqual({ created: false, deliveries: 0 });
    expect(s.counts()).toEqual({
      x: { pending: 1, delivered: 0, dead: 0 },
      y: { pending: 1, delivered: 0, dead: 0 },
    });
    db.close();
  });

  it('returns due rows of one channel in time order, with the body, and not before their time', () => {
    const { db } = open();
    const s = createSqliteDeliveryStore(db);
    s.enqueue(msg('m1'), ['x'], 100);
    s.enqueue(msg('m2'), ['x', 'y'], 50);
    const due = s.due('x', 100, 10);
    expect(due.map((d) => d.message_id)).toEqual(['m2', 'm1']);
    expect(due[0]?.body).toBe('{"id":"m2"}');
    expect(s.due('x', 49, 10)).toEqual([]);
    expect(s.nextDueAt('x')).toBe(50);
    expect(s.nextDueAt()).toBe(50);
    const first = due[0]!;
    s.markFailed(first.id, 'HTTP 503', 500, 100);
    expect(s.due('x', 100, 10).map((d) => d.message_id)).toEqual(['m1']);
    expect(s.get(first.id)).toMatchObject({
      status: 'pending',
      attempts: 1,
      failures: 1,
      last_error: 'HTTP 503',
    });
    s.markDelivered(due[1]!.id, 120);
    expect(s.get(due[1]!.id)).toMatchObject({ status: 'delivered', delivered_at: 120, attempts: 1 });
    expect(s.nextDueAt('x')).toBe(500);
    db.close();
  });

  it('keeps dead letters with their last error until requeued', () => {
    const { db } = open();
    const s = createSqliteDeliveryStore(db);
    s.enqueue(msg('m1'), ['x', 'y'], 0);
    const [row] = s.due('x', 0, 1);
    s.markFailed(row!.id, 'first', 10, 1);
    s.markFailed(row!.id, 'HTTP 404', null, 20);
    expect(s.due('x', 1e12, 10)).toEqual([]);
    const dead = s.listDead({ limit: 10 });
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({
      message_id: 'm1',
      channel: 'x',
      status: 'dead',
      attempts: 2,
      failures: 2,
    });
    expect(dead[0]?.last_error).toBe('HTTP 404');
    expect(s.listDead({ channel: 'y', limit: 10 })).toEqual([]);
    // A dead row does not take another failure (only pending rows are updated).
    s.markFailed(row!.id, 'late', 5, 30);
    expect(s.get(row!.id)?.status).toBe('dead');
    expect(s.requeue({ id: row!.id }, 40)).toBe(1);
    expect(s.requeue({ id: row!.id }, 40)).toBe(0);
    expect(s.get(row!.id)).toMatchObject({
      status: 'pending',
      attempts: 0,
      failures: 2,
      next_attempt_at: 40,
    });
    s.markFailed(row!.id, 'again', null, 50);
    expect(s.requeue({ channel: 'x' }, 60)).toBe(1);
    expect(s.due('x', 60, 10)).toHaveLength(1);
    db.close();
  });

  it('survives a reopen of the file with its pending rows', () => {
    const first = open();
    createSqliteDeliveryStore(first.db).enqueue(msg('m1'), ['x'], 0);
    first.db.close();
    const db = new Database(first.path);
    const s = createSqliteDeliveryStore(db);
    expect(s.due('x', 0, 10).map((d) => d.message_id)).toEqual(['m1']);
    expect(s.enqueue(msg('m1'), ['x'], 5).created).toBe(false);
    db.close();
  });

  it('purges old delivered rows but keeps the message id as the idempotency record', () => {
    const { db } = open();
    const s = createSqliteDeliveryStore(db);
    s.enqueue(msg('m1'), ['x'], 0);
    s.enqueue(msg('m2'), ['x'], 0);
    const [a, b] = s.due('x', 0, 10);
    s.markDelivered(a!.id, 100);
    s.markDelivered(b!.id, 300);
    expect(s.purgeDelivered(200)).toBe(1);
    expect(s.get(a!.id)).toBeNull();
    expect(s.get(b!.id)?.status).toBe('delivered');
    const bodies = db.prepare('SELECT id, body FROM publish_messages ORDER BY id').all();
    expect(bodies).toEqual([
      { id: 'm1', body: '' },
      { id: 'm2', body: '{"id":"m2"}' },
    ]);
    expect(s.enqueue(msg('m1'), ['x'], 400).created).toBe(false);
    db.close();
  });

  it('keeps the newest feed entries per channel', () => {
    const { db } = open();
    const s = createSqliteDeliveryStore(db);
    for (let i = 0; i < 5; i++)
      s.putFeedEntry('f', { message_id: `m${i}`, created_at: i * 10, body: `b${i}` }, 3);
    s.putFeedEntry('g', { message_id: 'other', created_at: 0, body: 'x' }, 3);
    s.putFeedEntry('f', { message_id: 'm4', created_at: 40, body: 'b4 again' }, 3);
    expect(s.feedEntries('f', 10).map((e) => [e.message_id, e.body])).toEqual([
      ['m4', 'b4 again'],
      ['m3', 'b3'],
      ['m2', 'b2'],
    ]);
    expect(s.feedEntries('f', 1)).toHaveLength(1);
    expect(s.feedEntries('g', 10)).toHaveLength(1);
    db.close();
  });
});
