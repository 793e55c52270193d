/**
 * The uploader against a real HTTP server (testing/fake-server.ts) that verifies signatures, validates batches and
 * dedupes by batch id: down then up, lost acks, 5xx, 429 with Retry-After, 401, 400 to the dead-letter folder.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../core/clock.js';
import type { AttackEvent } from '../../core/event.js';
import { generateSensorKeyPair, loadPrivateKey } from '../../protocol/signing.js';
import { Spool } from '../spool/spool.js';
import { FakeIngestServer } from '../testing/fake-server.js';
import { backoffDelay, parseRetryAfter } from './backoff.js';
import { Uploader } from './uploader.js';
import type { UploaderOptions } from './uploader.js';

const logger = pino({ level: 'silent' });
const keys = generateSensorKeyPair();
const SENSOR = 's_uploadertest';

let dir: string;
let server: FakeIngestServer;
let spool: Spool;
let uploader: Uploader | undefined;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sw-upl-'));
  server = new FakeIngestServer();
  server.addSensor(SENSOR, keys.publicKeyPem);
  spool = await Spool.open({
    dir: join(dir, 'spool'),
    maxSizeBytes: 1 << 24,
    segmentSizeBytes: 1 << 16,
    fsyncIntervalMs: 10,
  });
});
afterEach(async () => {
  await uploader?.stop();
  uploader = undefined;
  await spool.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const events = (n: number, tag: number): AttackEvent[] =>
  Array.from({ length: n }, (_, i) => ({
    ts: 1_700_000_000_000 + tag * 1000 + i,
    proto: 'tcp',
    port: 1 + ((tag * 37 + i) % 65535),
    src: `198.51.100.${i % 250}`,
  }));

function start(url: string, o: Partial<UploaderOptions> = {}): Uploader {
  uploader = new Uploader({
    serverUrl: url,
    sensorId: SENSOR,
    key: loadPrivateKey(keys.privateKeyPem),
    source: spool,
    clock: systemClock,
    logger,
    deadLetterDir: join(dir, 'dead-letter'),
    backoffBaseMs: 20,
    backoffMaxMs: 200,
    timeoutMs: 2000,
    ...o,
  });
  uploader.start();
  return uploader;
}

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('Uploader', () => {
  it('delivers every batch once, signed, gzip, in order, with the stats it carries', async () => {
    await server.listen();
    const ids = [spool.append(events(3, 1), { malformed: 1 }), spool.append(events(2, 2))];
    const up = start(server.url, { watchedAddresses: 256 });
    await until(() => spool.stats().backlogEvents === 0 && spool.stats().appendedEvents === 5);
    expect([...server.batches.keys()]).toEqual(ids);
    expect(server.batches.get(ids[0]!)?.stats).toEqual({ malformed: 1 });
    expect(ids.map((id) => server.batches.get(id ?? '')?.watched_addresses)).toEqual([256, 256]);
    expect(server.events()).toEqual([...events(3, 1), ...events(2, 2)]);
    expect(server.badSignatures).toBe(0);
    expect(up.stats).toMatchObject({ acceptedBatches: 2, acceptedEvents: 5, duplicateBatches: 0 });
  });

  it('keeps up to maxInFlight batches in flight and takes them out of the spool in order', async () => {
    await server.listen();
    server.delayMs = 40;
    const all: AttackEvent[] = [];
    for (let i = 0; i < 12; i++) {
      const ev = events(3, i);
      all.push(...ev);
      spool.append(ev);
    }
    const up = start(server.url, { maxInFlight: 4 });
    await until(() => spool.stats().backlogEvents === 0);
    expect(server.maxInFlight).toBe(4);
    // An ack out of order would be ignored by the spool and the batch sent again: none was.
    expect(server.duplicates).toBe(0);
    expect(server.requests).toBe(12);
    expect(new Set(server.events().map((e) => e.ts))).toEqual(new Set(all.map((e) => e.ts)));
    expect(up.stats).toMatchObject({ acceptedBatches: 12, acceptedEvents: 36 });
  });

  it('a failure inside the window: that batch is sent again, the acknowledged ones after it are not', async () => {
    await server.listen();
    server.delayMs = 20;
    server.fail503.add(2);
    for (let i = 0; i < 4; i++) spool.append(events(2, i));
    const up = start(server.url, { maxInFlight: 4 });
    await until(() => spool.stats().backlogEvents === 0);
    expect(server.requests).toBe(5); // four, then the second again
    expect(server.duplicates).toBe(0);
    expect(server.batches.size).toBe(4);
    expect(up.stats.failures.http_5xx).toBe(1);
    expect(spool.stats().ackedEvents).toBe(8);
  });

  it('server down, then up: every event arrives exactly once', async () => {
    const port = await freePort();
    const all: AttackEvent[] = [];
    for (let i = 0; i < 20; i++) {
      const ev = events(1 + (i % 5), i);
      all.push(...ev);
      spool.append(ev);
    }
    const up = start(`http://127.0.0.1:${port}`);
    await until(() => (up.stats.failures.network ?? 0) >= 3);
    await server.listen(port);
    await until(() => spool.stats().backlogEvents === 0);
    expect(server.events()).toEqual(all);
    expect(server.batches.size).toBe(20);
  });

  it('lost acknowledgements: the sensor resends the same batch id, the server counts it once', async () => {
    await server.listen();
    server.mode = { kind: 'lose-ack' };
    const all = [...events(4, 1), ...events(4, 2)];
    spool.append(events(4, 1));
    spool.append(events(4, 2));
    const up = start(server.url);
    await until(() => server.requests >= 3);
    server.mode = { kind: 'ok' };
    await until(() => spool.stats().backlogEvents === 0);
    expect(server.events()).toEqual(all);
    expect(server.duplicates).toBeGreaterThan(0);
    expect(up.stats.duplicateBatches).toBeGreaterThan(0);
    expect(up.stats.failures.http_5xx).toBeGreaterThan(0);
  });

  it('429 with Retry-After: waits at least that long before trying again', async () => {
    await server.listen();
    server.mode = { kind: 'status', status: 429, retryAfter: '1' };
    spool.append(events(1, 1));
    const t0 = Date.now();
    start(server.url);
    await until(() => server.requests >= 1);
    server.mode = { kind: 'ok' };
    await until(() => spool.stats().backlogEvents === 0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    expect(server.requests).toBe(2);
  });

  it('401: keeps the batch and backs off until the server accepts the key', async () => {
    await server.listen();
    server.keys.clear(); // unknown sensor
    spool.append(events(2, 1));
    const up = start(server.url);
    await until(() => (up.stats.failures.http_401 ?? 0) >= 2);
    expect(spool.stats().backlogEvents).toBe(2);
    expect(up.stats.lastError).toMatch(/401 SW_AUTH_BAD_SIGNATURE/);
    server.addSensor(SENSOR, keys.publicKeyPem);
    await until(() => spool.stats().backlogEvents === 0);
    expect(server.events()).toEqual(events(2, 1));
  });

  it('400: moves the batch to the dead-letter folder with the server error, and goes on', async () => {
    await server.listen();
    server.mode = {
      kind: 'status',
      status: 400,
      body: { code: 'SW_BATCH_INVALID', message: 'batch refused: invalid events', details: [{ index: 0 }] },
    };
    const dead = spool.append(events(2, 1));
    const up = start(server.url);
    await until(() => up.stats.deadLetteredBatches === 1);
    server.mode = { kind: 'ok' };
    const ok = spool.append(events(1, 2));
    await until(() => spool.stats().backlogEvents === 0 && server.batches.size === 1);
    expect([...server.batches.keys()]).toEqual([ok]);
    const files = readdirSync(join(dir, 'dead-letter'));
    expect(files).toEqual([`${dead}.json`]);
    const letter = JSON.parse(readFileSync(join(dir, 'dead-letter', files[0]!), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(letter).toMatchObject({
      batch_id: dead,
      status: 400,
      error: { code: 'SW_BATCH_INVALID' },
      events: events(2, 1),
    });
    expect(up.stats.deadLetteredEvents).toBe(2);
  });

  it('sends the spooled events JSON as it is, never parsing the events on the normal path', async () => {
    await server.listen();
    const ev = events(3, 9);
    const acked: string[] = [];
    const batch = {
      id: 'unparsed_batch-1',
      eventsJson: Buffer.from(JSON.stringify(ev)),
      stats: { malformed: 4 },
      ref: { segment: 0, offset: 0, next: 1, events: 3 },
      get events(): AttackEvent[] {
        throw new Error('events parsed on the upload path');
      },
    };
    const up = start(server.url, {
      source: {
        peek: () => (acked.length === 0 ? batch : null),
        peekAfter: () => null,
        ack: (ref) => void acked.push(`${ref.segment}:${ref.offset}`),
        waitForData: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 20))),
      },
    });
    await until(() => acked.length === 1);
    expect(server.events()).toEqual(ev);
    expect(server.batches.get('unparsed_batch-1')?.stats).toEqual({ malformed: 4 });
    expect(up.stats).toMatchObject({ acceptedBatches: 1, acceptedEvents: 3 });
  });

  it('times out a server that never answers, and retries', async () => {
    const sockets = new Set<import('node:net').Socket>();
    const silent = createServer((sock) => void sockets.add(sock)); // accepts TCP, never speaks HTTP
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const port = (silent.address() as { port: number }).port;
    spool.append(events(1, 1));
    const up = start(`http://127.0.0.1:${port}`, { timeoutMs: 100 });
    await until(() => (up.stats.failures.timeout ?? 0) >= 2);
    await up.stop();
    uploader = undefined;
    for (const sock of sockets) sock.destroy();
    await new Promise<void>((r) => silent.close(() => r()));
    expect(spool.stats().backlogEvents).toBe(1);
  });
});

describe('backoff', () => {
  it('grows exponentially within [d/2, d], capped, with Retry-After as a floor', () => {
    const cfg = { baseMs: 100, maxMs: 1000 };
    expect(backoffDelay(1, cfg, () => 0)).toBe(50);
    expect(backoffDelay(1, cfg, () => 0.999999)).toBe(100);
    expect(backoffDelay(3, cfg, () => 0)).toBe(200);
    expect(backoffDelay(30, cfg, () => 0.999999)).toBe(1000);
    expect(backoffDelay(1, cfg, () => 0, 5000)).toBe(5000);
    expect(backoffDelay(1, cfg, () => 0, 10 * 3_600_000)).toBe(3_600_000);
  });
  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.UTC(2024, 0, 1);
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(new Date(now + 30_000).toUTCString(), now)).toBe(30_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
