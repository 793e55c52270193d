/**
 * The detector in the server: real SQLite store, real rollups, the real engine. Buckets are closed once, in
 * order; a restart resumes from the saved state (no relearning, nothing recorded twice); late buckets are
 * backfill and notify nobody.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { BusBatch } from '../../bus/bus.js';
import { ManualClock } from '../../core/clock.js';
import type { AttackEvent } from '../../core/event.js';
import { seededRandom } from '../../core/random.js';
import { openSqliteStore } from '../../store/sqlite/index.js';
import type { Store } from '../../store/store.js';
import { STATE_NAME, startDetector } from './runner.js';
import type { Notification } from './model/types.js';

const logger = pino({ level: 'silent' });
const dir = mkdtempSync(join(tmpdir(), 'sw-detect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.parse('2007-04-01T00:00:00Z');
const SENSORS = 24;
const OUTBREAK = T0 + 3 * DAY + 7 * HOUR;
let n = 0;

function openStore(path = join(dir, `store-${n++}.db`)): { store: Store; path: string } {
  const store = openSqliteStore({ path, seed: new Uint8Array(16).fill(9), logger });
  for (let i = 0; i < SENSORS; i++) {
    const { operator } = store.ensureOperator(`org-${i % 12}`, T0 - 60 * DAY);
    if (store.getSensor(`s${i}`)) continue;
    store.addSensor({
      id: `s${i}`,
      name: `s${i}`,
      operator: operator.id,
      public_key_pem: 'x',
      created_at: T0 - 60 * DAY,
    });
  }
  return { store, path };
}

/** An hour of background on a few ports from every sensor, plus the TCP/1025 outbreak from OUTBREAK on. */
function hourBatches(hourStart: number, rnd: ReturnType<typeof seededRandom>): BusBatch[] {
  const out: BusBatch[] = [];
  for (let s = 0; s < SENSORS; s++) {
    const events: AttackEvent[] = [];
    for (const [port, mean] of [
      [22, 3],
      [445, 2],
      [1025, 0.05],
    ] as const) {
      const k = rnd.poisson(mean);
      for (let j = 0; j < k; j++) {
        events.push({
          ts: hourStart + rnd.int(HOUR),
          proto: 'tcp',
          port,
          src: `198.18.${rnd.int(200)}.${rnd.int(250)}`,
        });
      }
    }
    if (hourStart >= OUTBREAK) {
      for (let j = 0; j < 6; j++) {
        events.push({
          ts: hourStart + rnd.int(HOUR),
          proto: 'tcp',
          port: 1025,
          src: `203.0.${rnd.int(100)}.${rnd.int(250)}`,
        });
      }
    }
    out.push({
      batch_id: `b-${hourStart}-${s}`,
      sensor_id: `s${s}`,
      received_at: hourStart + HOUR,
      clock_offset_ms: 0,
      events,
    });
  }
  return out;
}

function fill(store: Store, from: number, to: number): void {
  const rnd = seededRandom(from / HOUR);
  for (let t = from; t < to; t += HOUR) store.applyBatches(hourBatches(t, rnd));
}

describe('detector in the server', () => {
  it('raises the outbreak once, live, after learning from stored history marked as backfill', () => {
    const { store } = openStore();
    fill(store, T0, OUTBREAK + 3 * HOUR);
    const clock = new ManualClock(OUTBREAK - 2 * HOUR);
    const notes: Notification[] = [];
    const det = startDetector({
      store,
      clock,
      logger,
      intervalMs: 0,
      config: { initial_lookback_ms: 10 * DAY },
      onNotification: (x) => notes.push(x),
    });
    det.runOnce(); // history: more than an hour late, so backfill
    expect(notes).toEqual([]);
    for (let t = OUTBREAK - HOUR; t <= OUTBREAK + 3 * HOUR; t += 5 * 60_000) {
      clock.set(t);
      det.runOnce();
    }
    const opened = notes.filter((x) => x.kind === 'opened');
    expect(opened.map((x) => `${x.incident.proto}/${x.incident.port}`)).toEqual(['tcp/1025']);
    const inc = opened[0]!.incident;
    expect(inc.backfilled).toBe(false);
    expect(inc.evidence.operators).toBeGreaterThanOrEqual(10);
    expect(inc.first_seen).toBeGreaterThanOrEqual(OUTBREAK);
    expect(inc.first_seen).toBeLessThan(OUTBREAK + HOUR);
    const stored = store.listIncidents({ status: 'active', limit: 10 });
    expect(stored.map((s) => s.id)).toContain(inc.id);
    expect(det.threatLevel().level).not.toBe('normal');
    store.close();
  });

  it('resumes after a restart from its saved state: no bucket twice, the same incidents', () => {
    const runTo = (stopAt: number | null): { ids: string[]; buckets: number } => {
      const { store, path } = openStore();
      fill(store, T0, OUTBREAK + 3 * HOUR);
      const clock = new ManualClock(T0 + DAY);
      let det = startDetector({
        store,
        clock,
        logger,
        intervalMs: 0,
        config: { initial_lookback_ms: 10 * DAY },
      });
      let buckets = 0;
      let s: Store = store;
      for (let t = T0 + DAY; t <= OUTBREAK + 3 * HOUR; t += HOUR) {
        clock.set(t);
        buckets += det.runOnce();
        if (stopAt !== null && t === stopAt) {
          void det.stop();
          s.close();
          s = openStore(path).store;
          expect(s.loadDetectorState(STATE_NAME)).toBeDefined();
          det = startDetector({
            store: s,
            clock,
            logger,
            intervalMs: 0,
            config: { initial_lookback_ms: 10 * DAY },
          });
        }
      }
      const ids = s
        .listIncidents({ status: 'all', limit: 100 })
        .map((i) => `${i.id}:${i.status}:${i.severity}`);
      s.close();
      return { ids: ids.sort(), buckets };
    };
    const straight = runTo(null);
    const restarted = runTo(OUTBREAK + HOUR);
    expect(restarted).toEqual(straight);
    expect(straight.ids.some((i) => i.startsWith('in_tcp_1025_'))).toBe(true);
  });
});
