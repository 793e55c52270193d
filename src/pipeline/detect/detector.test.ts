import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { ManualClock } from '../../core/clock.js';
import type { AttackEvent, Protocol } from '../../core/event.js';
import { seededRandom } from '../../core/random.js';
import type { Random } from '../../core/random.js';
import type { BusBatch } from '../../bus/bus.js';
import { openSqliteStore } from '../../store/sqlite/index.js';
import type { Store } from '../../store/store.js';
import type { AlertEvidence } from '../../protocol/api-types.js';
import { positionKey, startDetector } from './detector.js';

const logger = pino({ level: 'silent' });
const MIN5 = 300_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const GRACE = 60_000;
const D0 = Date.parse('2007-04-10T00:00:00Z');

/** Mean distinct sources per 5-minute bucket of each background key (over-dispersion comes later). */
const BACKGROUND: Array<[Protocol, number, number]> = [
  ['tcp', 1025, 0.1],
  ['tcp', 8080, 0.3],
  ['tcp', 22, 6],
  ['tcp', 23, 13],
  ['tcp', 445, 21],
  ['tcp', 1433, 4],
  ['tcp', 3389, 2],
  ['udp', 5060, 1],
  ['udp', 53, 0.05],
  ['tcp', 80, 8],
];
const SENSORS = 16;

class Feeder {
  private ip = 0;
  private batch = 0;
  constructor(
    private readonly store: Store,
    private readonly rng: Random,
  ) {}

  /** Background: Poisson sources per key and 5m bucket in [from, to), each source on one random sensor. */
  background(from: number, to: number): void {
    for (let b = from; b < to; b += HOUR) {
      const events: Array<[number, AttackEvent]> = [];
      for (let t = b; t < Math.min(b + HOUR, to); t += MIN5) {
        for (const [proto, port, mean] of BACKGROUND) {
          const n = this.rng.poisson(mean);
          for (let i = 0; i < n; i++) events.push([this.rng.int(SENSORS), this.event(t, proto, port)]);
        }
      }
      this.apply(events);
    }
  }

  /** `sources` new sources spread round-robin over `sensors` sensors within one bucket. */
  spike(bucket: number, proto: Protocol, port: number, sources: number, sensors: number): void {
    this.apply(
      Array.from({ length: sources }, (_, i) => [i % sensors, this.event(bucket + i * 1000, proto, port)]),
    );
  }

  private event(ts: number, proto: Protocol, port: number): AttackEvent {
    const i = this.ip++;
    return {
      ts: ts + this.rng.int(MIN5 / 2),
      proto,
      port,
      src: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    };
  }

  private apply(events: Array<[number, AttackEvent]>): void {
    const bySensor = new Map<number, AttackEvent[]>();
    for (const [s, e] of events) bySensor.set(s, [...(bySensor.get(s) ?? []), e]);
    const batches: BusBatch[] = [...bySensor].map(([s, evs]) => ({
      batch_id: `batch-${this.batch++}`,
      sensor_id: `sensor-${s}`,
      received_at: 0,
      clock_offset_ms: 0,
      events: evs,
    }));
    this.store.applyBatches(batches);
  }
}

function setup(seed = 1): { store: Store; feed: Feeder; clock: ManualClock } {
  const store = openSqliteStore({ path: ':memory:', seed: new Uint8Array(16).fill(9), logger });
  return { store, feed: new Feeder(store, seededRandom(seed)), clock: new ManualClock(D0) };
}

const evidenceOf = (e: unknown): AlertEvidence => e as AlertEvidence;

describe('detector v0 on a real SQLite store', () => {
  it('stays silent on a simulated day of steady Poisson background', () => {
    for (const seed of [1, 2]) {
      const { store, feed, clock } = setup(seed);
      feed.background(D0, D0 + 2 * DAY);
      clock.set(D0 + 2 * DAY + GRACE);
      const det = startDetector({ store, clock, logger, intervalMs: 0 });
      expect(det.runOnce()).toBe(288 + 24); // the last day of 5m and 1h buckets (initial lookback)
      expect(store.listAlerts(10)).toEqual([]);
      expect(det.stats()).toEqual({
        buckets_evaluated_total: { '5m': 288, '1h': 24 },
        alerts_opened_total: 0,
      });
      store.close();
    }
  });

  it('fires on a step within the first closed bucket, keeps one alert per key, then resolves it', () => {
    const { store, feed, clock } = setup();
    const step = D0 + DAY + 3 * HOUR;
    feed.background(D0, step + HOUR);
    feed.spike(step, 'tcp', 1025, 27, 14);
    feed.spike(step + MIN5, 'tcp', 1025, 30, 12);
    const det = startDetector({ store, clock, logger, intervalMs: 0 });

    clock.set(step + MIN5 + GRACE - 1);
    det.runOnce();
    expect(store.openAlertFor('tcp', 1025)).toBeUndefined();

    clock.set(step + MIN5 + GRACE);
    expect(det.runOnce()).toBe(1);
    const opened = store.openAlertFor('tcp', 1025);
    expect(opened).toMatchObject({
      id: `al_tcp_1025_${step}`,
      status: 'open',
      level: 'high',
      opened_at: clock.now(),
    });
    const ev = evidenceOf(opened?.evidence);
    expect(ev).toMatchObject({
      granularity: '5m',
      sources: { observed: 27, expected: 0.5 },
      baseline_buckets: 288,
    });
    expect(ev.sensors.observed).toBe(14);
    expect(ev.reason).toMatch(
      /^tcp\/1025: 27 distinct sources from 14 sensors in the 5-min bucket at 2007-04-11T03:00Z/,
    );

    clock.set(step + HOUR + GRACE); // the next 5m buckets and the 1h bucket
    det.runOnce();
    const alerts = store.listAlerts(10);
    expect(alerts.map((a) => a.id)).toEqual([`al_tcp_1025_${step}`]);
    const updated = alerts[0];
    expect(updated?.severity).toBeGreaterThanOrEqual(opened?.severity ?? 0);
    expect(updated?.updated_at).toBe(step + HOUR + GRACE);
    expect(updated?.opened_at).toBe(opened?.opened_at);
    expect(det.stats().alerts_opened_total).toBe(1); // the later firings updated the open alert

    clock.set(step + HOUR + GRACE + 6 * HOUR - 1);
    det.runOnce();
    expect(store.openAlertFor('tcp', 1025)?.status).toBe('open');
    clock.advance(1);
    det.runOnce();
    expect(store.openAlertFor('tcp', 1025)).toBeUndefined();
    expect(store.listAlerts(10)[0]).toMatchObject({ status: 'resolved', updated_at: clock.now() });
    store.close();
  });

  it('does not fire on a spike that only one or two sensors see', () => {
    // Keys without background of their own: in v0 the sensors gate counts every sensor of the bucket, so
    // background seen by other sensors in the same (hourly) bucket adds breadth (see the detector header).
    const { store, feed, clock } = setup();
    const b = D0 + DAY + 2 * HOUR;
    feed.background(D0, b + HOUR);
    feed.spike(b, 'tcp', 31337, 60, 2);
    feed.spike(b + MIN5, 'udp', 1434, 40, 1);
    feed.spike(b + 2 * MIN5, 'udp', 1434, 40, 2);
    clock.set(b + HOUR + GRACE);
    startDetector({ store, clock, logger, intervalMs: 0 }).runOnce();
    expect(store.listAlerts(10)).toEqual([]);
    store.close();
  });

  it('neither repeats nor skips buckets across a restart', () => {
    const { store, feed, clock } = setup();
    feed.background(D0, D0 + DAY + 6 * HOUR);
    const seen: string[] = [];
    const spy: Store = {
      ...store,
      setMeta: (k: string, v: string) => {
        seen.push(`${k}=${v}`);
        store.setMeta(k, v);
      },
    };
    clock.set(D0 + DAY + 2 * HOUR + 7 * MIN5 + GRACE);
    const first = startDetector({ store: spy, clock, logger, intervalMs: 0 });
    const n1 = first.runOnce();
    expect(first.runOnce()).toBe(0);
    void first.stop();

    clock.advance(3 * HOUR + 17 * MIN5); // downtime
    const second = startDetector({ store: spy, clock, logger, intervalMs: 0 });
    const n2 = second.runOnce();
    expect(second.runOnce()).toBe(0);
    clock.advance(MIN5);
    expect(second.runOnce()).toBe(1);
    void second.stop();

    for (const [g, size] of [
      ['5m', MIN5],
      ['1h', HOUR],
    ] as const) {
      const buckets = seen.filter((s) => s.startsWith(positionKey(g))).map((s) => Number(s.split('=')[1]));
      expect(new Set(buckets).size).toBe(buckets.length);
      buckets.forEach((b, i) => i > 0 && expect(b - (buckets[i - 1] ?? 0)).toBe(size));
      expect((buckets.at(-1) ?? 0) + size + GRACE).toBeLessThanOrEqual(clock.now());
      expect((buckets.at(-1) ?? 0) + 2 * size + GRACE).toBeGreaterThan(clock.now());
    }
    expect(n1 + n2 + 1).toBe(seen.length);
    store.close();
  });

  it('runs by itself in small steps and catches up', async () => {
    const { store, feed, clock } = setup();
    feed.background(D0, D0 + DAY + 2 * HOUR);
    const b = D0 + DAY + HOUR;
    feed.spike(b, 'tcp', 1025, 27, 14);
    clock.set(D0 + DAY + 2 * HOUR + GRACE);
    const det = startDetector({ store, clock, logger, intervalMs: 5, maxBucketsPerTick: 7 });
    const last5m = String(D0 + DAY + HOUR + 11 * MIN5);
    for (let i = 0; i < 400 && store.getMeta(positionKey('5m')) !== last5m; i++) {
      await new Promise((r) => setTimeout(r, 5));
    }
    await det.stop();
    expect(store.getMeta(positionKey('5m'))).toBe(last5m);
    expect(store.openAlertFor('tcp', 1025)?.id).toBe(`al_tcp_1025_${b}`);
    expect(det.runOnce()).toBe(0);
    store.close();
  });
});
