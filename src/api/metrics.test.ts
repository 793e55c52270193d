/**
 * GET /metrics on a real SQLite store and bus: valid text exposition 0.0.4, and counters that move by exactly
 * what one accepted and one refused submission did; detector position and lag on the event clock.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bucketStart, GRANULARITIES } from '../core/buckets.js';
import { batchOf, makeTestEnv, threeEvents } from './test-helpers.js';
import type { TestEnv } from './test-helpers.js';

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const SAMPLE =
  /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*",?)*)\})? (\S+)$/;
const VALUE = /^(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]Inf|NaN)$/;

/**
 * Parses the exposition strictly enough for our output (counters and gauges): every metric has one HELP and
 * one TYPE before its samples; every other line is `name{labels} value`. Returns `name{labels}` → value.
 */
function parseExposition(text: string): Map<string, number> {
  expect(text.endsWith('\n')).toBe(true);
  const help = new Set<string>();
  const type = new Map<string, string>();
  const samples = new Map<string, number>();
  for (const line of text.slice(0, -1).split('\n')) {
    const meta = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (meta) {
      const [, kind, name = '', rest] = meta;
      expect(name, line).toMatch(NAME);
      if (kind === 'HELP') {
        expect(help.has(name), `second HELP for ${name}`).toBe(false);
        help.add(name);
      } else {
        expect(type.has(name), `second TYPE for ${name}`).toBe(false);
        expect(['counter', 'gauge'], line).toContain(rest);
        type.set(name, rest ?? '');
      }
      continue;
    }
    expect(line.startsWith('#'), `stray comment: ${line}`).toBe(false);
    const m = SAMPLE.exec(line);
    expect(m, `not a sample line: ${line}`).not.toBeNull();
    const [, name = '', , labels = '', value = ''] = m ?? [];
    expect(help.has(name) && type.has(name), `${name} sampled before its HELP and TYPE`).toBe(true);
    expect(value, line).toMatch(VALUE);
    if (type.get(name) === 'counter') expect(name, 'counter without _total').toMatch(/_total$/);
    const key = labels ? `${name}{${labels.replace(/,$/, '')}}` : name;
    expect(samples.has(key), `duplicate series ${key}`).toBe(false);
    samples.set(key, Number(value));
  }
  for (const name of help) expect(type.has(name), `${name} has HELP without TYPE`).toBe(true);
  return samples;
}

let env: TestEnv;
beforeEach(async () => {
  env = await makeTestEnv();
});
afterEach(async () => {
  await env.close();
});

async function scrape(): Promise<Map<string, number>> {
  const res = await env.app.inject({ url: '/metrics' });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
  return parseExposition(res.body);
}

/** Series whose value differs between two scrapes (absent counts as 0), restricted to the given prefixes. */
function changed(
  before: Map<string, number>,
  after: Map<string, number>,
  prefixes: string[],
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    if (!prefixes.some((p) => key.startsWith(p))) continue;
    const d = (after.get(key) ?? 0) - (before.get(key) ?? 0);
    if (d !== 0) out[key] = d;
  }
  return out;
}

describe('GET /metrics', () => {
  it('moves the counters by exactly one accepted and one refused submission', async () => {
    const sensor = await env.enroll();
    const before = await scrape();

    expect((await env.submit(sensor, batchOf(threeEvents()))).statusCode).toBe(200);
    const stranger = generateKeyPairSync('ed25519').privateKey;
    const refused = await env.submit(sensor, batchOf(threeEvents()), { key: stranger });
    expect(refused.json<{ code: string }>().code).toBe('SW_AUTH_BAD_SIGNATURE');
    await env.drain();
    const after = await scrape();

    expect(
      changed(before, after, [
        'stormwatch_ingest_',
        'stormwatch_aggregate_batches_total',
        'stormwatch_aggregate_events_applied_total',
        'stormwatch_aggregate_errors_total',
        'stormwatch_bus_',
        'stormwatch_sensors',
      ]),
    ).toEqual({
      'stormwatch_ingest_batches_total{status="accepted"}': 1,
      stormwatch_ingest_events_total: 3,
      'stormwatch_ingest_refused_total{reason="SW_AUTH_BAD_SIGNATURE"}': 1,
      'stormwatch_aggregate_batches_total{outcome="applied"}': 1,
      stormwatch_aggregate_events_applied_total: 3,
    });
    expect(after.get('stormwatch_bus_backlog_batches')).toBe(0);
    expect(after.get('stormwatch_sensors{status="active"}')).toBe(1);
    expect(after.get('stormwatch_aggregate_last_step_failed')).toBe(0);
    expect(after.get('stormwatch_process_uptime_seconds')).toBeGreaterThan(0);
  });

  it('reports sensors by status and the SQLite file sizes', async () => {
    const a = await env.enroll('a');
    await env.enroll('b');
    const res = await env.app.inject({
      method: 'POST',
      url: `/api/v1/admin/sensors/${a.id}/revoke`,
      headers: { authorization: `Bearer ${env.adminToken}` },
    });
    expect(res.statusCode).toBe(200);
    const m = await scrape();
    expect(m.get('stormwatch_sensors{status="active"}')).toBe(1);
    expect(m.get('stormwatch_sensors{status="revoked"}')).toBe(1);
    for (const file of ['stormwatch.db', 'stormwatch.db-wal', 'bus.db', 'bus.db-wal']) {
      expect(m.has(`stormwatch_store_size_bytes{file="${file}"}`), file).toBe(true);
    }
    expect(m.get('stormwatch_store_size_bytes{file="stormwatch.db"}')).toBeGreaterThan(0);
    expect(m.get('stormwatch_store_size_bytes{file="bus.db"}')).toBeGreaterThan(0);
  });

  it('reports the buckets the detector evaluated and their lag on the event clock', async () => {
    const sensor = await env.enroll();
    await env.submit(sensor, batchOf(threeEvents()));
    await env.drain();
    const before = await scrape();
    expect(before.get('stormwatch_detect_buckets_evaluated_total{granularity="5m"}')).toBe(0);
    expect([...before.keys()].some((k) => k.startsWith('stormwatch_detect_bucket_close_lag_seconds'))).toBe(
      false,
    );

    env.eventClock.set(env.eventClock.now() + 2 * 3_600_000);
    const tested = env.detector.runOnce();
    expect(tested).toBeGreaterThan(0);
    const m = await scrape();
    const per5m = m.get('stormwatch_detect_buckets_evaluated_total{granularity="5m"}') ?? 0;
    const per1h = m.get('stormwatch_detect_buckets_evaluated_total{granularity="1h"}') ?? 0;
    const per1d = m.get('stormwatch_detect_buckets_evaluated_total{granularity="1d"}') ?? 0;
    expect(per5m + per1h + per1d).toBe(tested);
    expect(per5m).toBeGreaterThan(0);
    expect(m.get('stormwatch_detect_incidents_opened_total')).toBe(0);
    expect(m.get('stormwatch_detect_local_anomalies_total')).toBe(0);
    expect(m.get('stormwatch_detect_keys_known')).toBe(
      new Set(threeEvents().map((e) => `${e.proto}/${e.port}`)).size,
    );

    const now = env.eventClock.now();
    for (const g of ['5m', '1h'] as const) {
      const size = GRANULARITIES[g];
      const lastEnd = bucketStart(now - 60_000 - size, g) + size; // default grace_ms = 60 s
      expect(m.get(`stormwatch_detect_last_bucket_end_timestamp_seconds{granularity="${g}"}`), g).toBe(
        lastEnd / 1000,
      );
      expect(m.get(`stormwatch_detect_bucket_close_lag_seconds{granularity="${g}"}`), g).toBe(
        (now - lastEnd) / 1000,
      );
    }
  });
});
