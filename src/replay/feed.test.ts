/**
 * The feeder against a real HTTP server that verifies signatures and batches (the sensor's FakeIngestServer):
 * routing per host, accounting of every line, refused lines with their numbers, deterministic batch ids across
 * runs (also after an interruption), refusals reported, --strict, and waiting out 429 and 503.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateSensorKeyPair, loadPrivateKey } from '../protocol/signing.js';
import { PRIVACY_DEFAULTS } from '../sensor/privacy.js';
import { FakeIngestServer } from '../sensor/testing/fake-server.js';
import { feed } from './feed.js';
import type { FeedOptions, SensorDirectory, SensorRoute } from './feed.js';
import { sendWithRetry } from './send.js';
import type { SensorCredentials } from './send.js';

const dir = mkdtempSync(join(tmpdir(), 'sw-replay-feed-'));
const fake = new FakeIngestServer();
const logger = pino({ level: 'silent' });
const quiet = { update: () => undefined, done: () => undefined };

beforeAll(async () => {
  await fake.listen();
});
afterAll(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  fake.mode = { kind: 'ok' };
});

/** Sensors registered straight with the fake server, one per route key, remembered across runs. */
class FakeDirectory implements SensorDirectory {
  readonly made = new Map<string, SensorCredentials>();
  resolve(route: SensorRoute): Promise<SensorCredentials> {
    let c = this.made.get(route.key);
    if (c === undefined) {
      const keys = generateSensorKeyPair();
      const sensorId = `s_${route.key.replace(/[^a-z0-9]/g, '')}`;
      fake.addSensor(sensorId, keys.publicKeyPem);
      c = { serverUrl: fake.url, sensorId, key: loadPrivateKey(keys.privateKeyPem) };
      this.made.set(route.key, c);
    }
    return Promise.resolve(c);
  }
}

const byHost = (row: { host?: string | undefined; operator?: string | undefined }): SensorRoute => ({
  key: row.host ?? 'none',
  name: row.host ?? 'none',
  operator: row.operator ?? 'import',
});

function options(files: string[], sensors: SensorDirectory, more: Partial<FeedOptions> = {}): FeedOptions {
  return {
    files,
    format: { format: 'marx', timezone: 'utc' },
    route: byHost,
    sensors,
    privacy: { ...PRIVACY_DEFAULTS },
    batchSize: 100,
    concurrency: 3,
    strict: false,
    maxRetryMs: 60_000,
    maxFutureSkewMs: 600_000,
    maxPastAgeMs: null,
    progress: quiet,
    logger,
    ...more,
  };
}

const row = (i: number, host = `h${i % 3}`): string =>
  `2013-03-0${1 + (i % 9)} 12:00:00,${host},${16_777_216 * 20 + i},${i % 2 ? 'TCP' : 'UDP'},,1024,${i % 50}`;

describe('feeding a marx file', () => {
  const rows = Array.from({ length: 1000 }, (_, i) => row(i));
  const lines = ['datetime,host,src,proto,type,spt,dpt,operator', ...rows];
  // Damage at known lines (1-based): a bad port, a future time, another operator for h0, a private source.
  lines.splice(10, 0, '2013-03-03 12:00:00,h1,3232235777,TCP,,1024,99999');
  lines.splice(
    20,
    0,
    `${new Date(Date.now() + 86_400_000).toISOString().slice(0, 19)},h1,335544320,TCP,,1,2`,
  );
  lines.splice(30, 0, '2013-03-03 12:00:00,h0,335544321,TCP,,1024,80,other');
  lines.splice(40, 0, '2013-03-03 12:00:00,h2,3232235777,TCP,,1024,80');
  const file = join(dir, 'rows.csv.gz');
  writeFileSync(file, gzipSync(lines.join('\n') + '\n'));

  it('sends every good row once, per host, and accounts for every line', async () => {
    const sensors = new FakeDirectory();
    const before = fake.events().length;
    const s = await feed(options([file], sensors));
    expect(s.accounted).toBe(true);
    expect(s.lines).toEqual({
      read: 1004 + 1,
      events: 1001,
      skipped: { header: 1 },
      refused: { bad_dpt: 1, future_time: 1, operator_mismatch: 1 },
    });
    expect(s.refused_lines.map((r) => [r.line, r.reason])).toEqual([
      [11, 'bad_dpt'],
      [21, 'future_time'],
      [31, 'operator_mismatch'],
    ]);
    expect(s.events).toMatchObject({ excluded: { private: 1 }, batched: 1000, accepted: 1000, duplicate: 0 });
    // Batches per (file, host) of at most 100: 334 + 333 + 333 rows → 4 + 4 + 4 batches.
    expect(s.batches).toEqual({ sent: 12, accepted: 12, duplicate: 0, refused: 0, not_sent: 0 });
    expect(s.sensors.map((x) => [x.name, x.events, x.sensor_id])).toEqual([
      ['h0', 334, 's_h0'],
      ['h1', 333, 's_h1'],
      ['h2', 333, 's_h2'],
    ]);
    const got = fake.events().slice(before);
    expect(got).toHaveLength(1000);
    expect(new Set(got.map((e) => `${e.src}/${e.port}`)).size).toBe(1000);
    expect(s.first_event).toBe('2013-03-01T12:00:00.000Z');

    // The same file again, as the same sensors: every batch is a duplicate, nothing is counted twice.
    const again = await feed(options([file], sensors));
    expect(again.batches).toMatchObject({ sent: 12, accepted: 0, duplicate: 12 });
    expect(again.events).toMatchObject({ accepted: 0, duplicate: 1000 });
    expect(fake.events().length - before).toBe(1000);
  });

  it('finishes an interrupted run without doubling', async () => {
    // A plain file of several reads (256 KiB each); the run is interrupted after its second read.
    const big = join(dir, 'big.csv');
    writeFileSync(big, Array.from({ length: 50_000 }, (_, i) => row(i)).join('\n'));
    const sensors = new FakeDirectory();
    const before = fake.events().length;
    const controller = new AbortController();
    let reads = 0;
    const progress = { update: () => void (++reads === 2 && controller.abort()), done: () => undefined };
    const first = await feed(
      options([big], sensors, { signal: controller.signal, progress, batchSize: 500 }),
    );
    expect(first.stopped).toBe('interrupted');
    expect(first.accounted).toBe(true);
    expect(first.events.not_sent).toBeGreaterThan(0);
    expect(first.events.accepted).toBeGreaterThan(0);
    expect(first.lines.read).toBeLessThan(50_000);
    const second = await feed(options([big], sensors, { batchSize: 500 }));
    expect(second.lines.read).toBe(50_000);
    expect(second.events.duplicate).toBe(first.events.accepted);
    expect(second.events.accepted + second.events.duplicate).toBe(50_000);
    expect(fake.events().length - before).toBe(50_000);
  });

  it('reports a refused batch with the server message and goes on; --strict stops', async () => {
    fake.mode = {
      kind: 'status',
      status: 400,
      body: { code: 'SW_BATCH_INVALID', message: 'batch refused: event 3 src: bad' },
    };
    const s = await feed(options([file], new FakeDirectory(), { concurrency: 1 }));
    expect(s.accounted).toBe(true);
    expect(s.batches).toMatchObject({ sent: 12, refused: 12 });
    expect(s.events.refused).toBe(1000);
    expect(s.batch_refusals[0]).toMatchObject({
      status: 400,
      code: 'SW_BATCH_INVALID',
      message: 'SW_BATCH_INVALID: batch refused: event 3 src: bad',
    });

    const strict = await feed(options([file], new FakeDirectory(), { concurrency: 1, strict: true }));
    expect(strict.accounted).toBe(true);
    expect(strict.stopped).toMatch(/^--strict: batch rp-\S+ refused: SW_BATCH_INVALID/);
    expect(strict.batches.refused).toBeLessThan(12);
    expect(strict.events.not_sent).toBeGreaterThan(0);
  });
});

describe('sending one batch', () => {
  const cred = async (): Promise<SensorCredentials> =>
    new FakeDirectory().resolve({ key: 'send', name: 'send', operator: 'x' });
  const batch = {
    batch_id: 'rp-send-test-1',
    events: [{ ts: Date.UTC(2013, 0, 1), proto: 'tcp' as const, port: 1, src: '198.51.100.1' }],
  };

  it('waits out 429 (at least Retry-After) and 503, then is acknowledged', async () => {
    const c = await cred();
    const waits: Array<[string, number]> = [];
    fake.mode = {
      kind: 'status',
      status: 429,
      body: { code: 'SW_RATE_LIMITED', message: 'slow down', details: { retry_after_s: 1 } },
    };
    const out = await sendWithRetry(c, batch, {
      maxRetryMs: 60_000,
      backoffBaseMs: 10,
      onRetry: (reason, delay) => {
        waits.push([reason, delay]);
        fake.mode =
          waits.length === 1
            ? { kind: 'status', status: 503, body: { code: 'SW_UNAVAILABLE', message: 'busy' } }
            : { kind: 'ok' };
      },
    });
    expect(out).toEqual({ kind: 'acked', status: 'accepted' });
    expect(waits.map((w) => w[0])).toEqual(['http_429', 'http_5xx']);
    expect(waits[0]![1]).toBeGreaterThanOrEqual(1000);
  });

  it('gives up after its retry budget, and stops at once when aborted', async () => {
    const c = await cred();
    fake.mode = { kind: 'status', status: 503, body: { code: 'SW_UNAVAILABLE', message: 'down' } };
    const out = await sendWithRetry(
      c,
      { ...batch, batch_id: 'rp-send-test-2' },
      { maxRetryMs: 200, backoffBaseMs: 20 },
    );
    expect(out).toMatchObject({ kind: 'refused', status: null, code: 'gave_up' });
    expect((out as { message: string }).message).toContain('SW_UNAVAILABLE: down');
    const controller = new AbortController();
    const aborted = sendWithRetry(c, batch, {
      maxRetryMs: 60_000,
      backoffBaseMs: 60_000,
      signal: controller.signal,
      onRetry: () => controller.abort(),
    });
    expect(await aborted).toEqual({ kind: 'aborted' });
  });

  it('does not retry a refusal', async () => {
    const c = await cred();
    fake.mode = { kind: 'status', status: 413, body: { code: 'SW_TOO_MANY_EVENTS', message: 'too many' } };
    let retries = 0;
    const out = await sendWithRetry(c, batch, { maxRetryMs: 60_000, onRetry: () => retries++ });
    expect(out).toEqual({
      kind: 'refused',
      status: 413,
      code: 'SW_TOO_MANY_EVENTS',
      message: 'SW_TOO_MANY_EVENTS: too many',
    });
    expect(retries).toBe(0);
  });
});
