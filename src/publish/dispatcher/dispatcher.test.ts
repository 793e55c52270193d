/** The dispatcher on a real SQLite outbox: routing, idempotence, retries with backoff, dead letters, restart. */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.js';
import { isStormwatchError } from '../../core/errors.js';
import { Dispatcher } from './dispatcher.js';
import type { DispatcherOptions } from './dispatcher.js';
import type { Route } from './routes.js';
import { openOutbox, sampleMessage, ScriptedChannel, tempDir } from './test-helpers.js';
import type { Script } from './test-helpers.js';

const logger = pino({ level: 'silent' });
const dir = tempDir('sw-dispatch-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const T0 = Date.parse('2026-03-01T12:00:00Z');
const settings = { max_attempts: 4, backoff_base_ms: 1000, backoff_max_ms: 8000 };

function setup(scripts: Record<string, Script[]>, routes?: Route[], over: Partial<DispatcherOptions> = {}) {
  const out = openOutbox(join(dir, `o${n++}.db`), true);
  const clock = new ManualClock(T0);
  const channels = Object.entries(scripts).map(([name, s]) => new ScriptedChannel(name, s));
  const all: Route[] = routes ?? [{ name: 'all', channels: channels.map((c) => c.name) }];
  const d = new Dispatcher({
    store: out.store,
    channels,
    routes: all,
    logger,
    clock,
    random: () => 0,
    settings,
    ...over,
  });
  const ch = (name: string): ScriptedChannel => channels.find((c) => c.name === name)!;
  return { ...out, clock, d, ch };
}

describe('dispatcher', () => {
  it('routes by kind, level and port, and delivers each channel once with the message id', async () => {
    const routes: Route[] = [
      { name: 'soc', match: { min_level: 'medium', ports: ['tcp/1025'] }, channels: ['hook'] },
      {
        name: 'team',
        match: { kinds: ['advisory.published', 'advisory.updated'] },
        channels: ['mail', 'hook'],
      },
    ];
    const s = setup({ hook: [], mail: [], idle: [] }, routes);
    expect(s.d.enqueue(sampleMessage()).channels).toEqual(['hook', 'mail']);
    expect(
      s.d.enqueue(sampleMessage({ id: 'n:1', kind: 'note.published', level: undefined })).channels,
    ).toEqual([]);
    expect(await s.d.runDue()).toBe(2);
    expect(s.ch('hook').delivered).toEqual(['advisory:42:v1']);
    expect(s.ch('mail').delivered).toEqual(['advisory:42:v1']);
    expect(s.ch('idle').seen).toEqual([]);
    expect(await s.d.runDue()).toBe(0);
    expect(s.d.stats().channels.hook).toMatchObject({ delivered_total: 1, pending: 0, dead: 0 });
  });

  it('makes no second delivery for a message id enqueued twice', async () => {
    const s = setup({ hook: [] });
    expect(s.d.enqueue(sampleMessage()).created).toBe(true);
    await s.d.runDue();
    expect(s.d.enqueue(sampleMessage({ title: 'changed' }))).toEqual({ created: false, channels: [] });
    await s.d.runDue();
    expect(s.ch('hook').seen).toEqual(['advisory:42:v1']);
  });

  it('refuses an invalid or oversized message, naming the field', () => {
    const s = setup({ hook: [] });
    const bad = () => s.d.enqueue(sampleMessage({ url: 'javascript:alert(1)', port: 70000 }));
    expect(bad).toThrow(/url: .*http.*port:/s);
    try {
      bad();
    } catch (err) {
      expect(isStormwatchError(err) && err.code).toBe('SW_BAD_REQUEST');
    }
    const small = setup({ hook: [] }, undefined, { settings: { ...settings, max_message_bytes: 2000 } });
    expect(() => small.d.enqueue(sampleMessage({ markdown: 'x'.repeat(3000) }))).toThrow(/limit 2000/);
    expect(small.store.counts()).toEqual({});
  });

  it('retries with growing jittered backoff, then delivers', async () => {
    const s = setup({ hook: ['fail', 'fail'] });
    s.d.enqueue(sampleMessage());
    expect(await s.d.runDue()).toBe(1);
    const [row] = s.d.listDead();
    expect(row).toBeUndefined();
    const pending = s.db
      .prepare('SELECT next_attempt_at, attempts, last_error FROM publish_deliveries')
      .get() as {
      next_attempt_at: number;
      attempts: number;
      last_error: string;
    };
    // random() = 0 gives the low end of [d/2, d): d = 1000 after the first failure.
    expect(pending).toEqual({ next_attempt_at: T0 + 500, attempts: 1, last_error: 'channel hook: HTTP 503' });
    expect(await s.d.runDue()).toBe(0); // not yet due
    s.clock.advance(500);
    expect(await s.d.runDue()).toBe(1);
    expect(
      (s.db.prepare('SELECT next_attempt_at FROM publish_deliveries').get() as { next_attempt_at: number })
        .next_attempt_at,
    ).toBe(T0 + 500 + 1000);
    s.clock.advance(1000);
    expect(await s.d.runDue()).toBe(1);
    expect(s.ch('hook').delivered).toEqual(['advisory:42:v1']);
    expect(s.d.stats().channels.hook).toMatchObject({
      delivered_total: 1,
      failed_attempts_total: 2,
      pending: 0,
    });
  });

  it('turns the last failed attempt into a dead letter, and an admin requeue delivers it', async () => {
    const s = setup({ hook: ['fail', 'fail', 'fail', 'fail'] });
    s.d.enqueue(sampleMessage());
    for (let i = 0; i < 4; i++) {
      expect(await s.d.runDue()).toBe(1);
      s.clock.advance(10_000);
    }
    expect(await s.d.runDue()).toBe(0);
    const dead = s.d.listDead({ channel: 'hook' });
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({
      message_id: 'advisory:42:v1',
      attempts: 4,
      last_error: 'channel hook: HTTP 503',
    });
    expect(s.d.stats().channels.hook).toMatchObject({
      dead_letters_total: 1,
      dead: 1,
      failed_attempts_total: 4,
    });
    expect(s.d.requeue({ id: dead[0]!.id })).toBe(1);
    expect(await s.d.runDue()).toBe(1);
    expect(s.ch('hook').delivered).toEqual(['advisory:42:v1']);
    expect(s.d.stats().channels.hook).toMatchObject({ dead: 0, pending: 0, delivered_total: 1 });
  });

  it('dead-letters a permanent failure at once and keeps delivering the other channels', async () => {
    const s = setup({ hook: ['permanent'], mail: [] });
    s.d.enqueue(sampleMessage());
    await s.d.runDue();
    expect(s.d.listDead().map((r) => [r.channel, r.attempts, r.last_error])).toEqual([
      ['hook', 1, 'channel hook: HTTP 404'],
    ]);
    expect(s.ch('mail').delivered).toEqual(['advisory:42:v1']);
  });

  it("takes a receiver's Retry-After as a floor", async () => {
    const s = setup({ hook: [{ retryAfterMs: 6000 }] });
    s.d.enqueue(sampleMessage());
    await s.d.runDue();
    s.clock.advance(5999);
    expect(await s.d.runDue()).toBe(0);
    s.clock.advance(1);
    expect(await s.d.runDue()).toBe(1);
  });

  it('resumes pending deliveries after a restart', async () => {
    const first = setup({ hook: ['fail'] });
    first.d.enqueue(sampleMessage());
    first.d.enqueue(sampleMessage({ id: 'advisory:43:v1' }));
    await first.d.runDue(); // the first fails (retry later), the second is delivered
    await first.d.close();
    first.db.close();
    const again = openOutbox(first.path, false);
    const hook = new ScriptedChannel('hook');
    const clock = new ManualClock(T0 + 60_000);
    const d = new Dispatcher({ store: again.store, channels: [hook], routes: [], logger, clock, settings });
    expect(await d.runDue()).toBe(1);
    expect(hook.delivered).toEqual(['advisory:42:v1']);
    expect(d.enqueue(sampleMessage()).created).toBe(false);
    await d.close();
    again.db.close();
  });

  it('close() aborts an attempt in flight without counting it, and closes the channels', async () => {
    const s = setup({ hook: ['hang'] });
    s.d.enqueue(sampleMessage());
    const run = s.d.runDue();
    await new Promise((r) => setImmediate(r));
    expect(s.ch('hook').seen).toEqual(['advisory:42:v1']);
    await s.d.close();
    await run;
    expect(s.ch('hook').closed).toBe(true);
    expect(s.db.prepare('SELECT status, attempts FROM publish_deliveries').get()).toEqual({
      status: 'pending',
      attempts: 0,
    });
  });

  it('the background worker delivers what is enqueued after start()', async () => {
    const s = setup({ hook: [] }, undefined, { clock: undefined });
    s.d.start();
    s.d.enqueue(sampleMessage());
    for (let i = 0; i < 200 && s.ch('hook').delivered.length === 0; i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(s.ch('hook').delivered).toEqual(['advisory:42:v1']);
    await s.d.close();
  });

  it('dead-letters a stored message that no longer parses', async () => {
    const s = setup({ hook: [] });
    s.d.enqueue(sampleMessage());
    s.db.prepare(`UPDATE publish_messages SET body = '{"trunc'`).run();
    await s.d.runDue();
    expect(s.d.listDead()[0]?.last_error).toMatch(/stored message unreadable/);
    expect(s.ch('hook').seen).toEqual([]);
  });

  it('refuses routes naming a channel it does not have', () => {
    expect(() => setup({ hook: [] }, [{ name: 'r', channels: ['nope'] }])).toThrow(
      /route r names unknown channel nope/,
    );
  });
});
