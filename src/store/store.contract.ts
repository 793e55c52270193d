/**
 * The store contract: one test suite that every Store implementation must pass (sqlite now, postgres later).
 * Call runStoreContract from an implementation's own *.test.ts with a factory that opens an EMPTY store.
 *
 * @example runStoreContract('sqlite', () => openSqliteStore({ path: ':memory:', seed, logger }));
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AttackEvent, Protocol } from '../core/event.js';
import type { BusBatch } from '../bus/bus.js';
import type { AlertRecord, Store } from './store.js';

export const T0 = Date.parse('2007-04-12T10:00:00Z');
const MIN5 = 300_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

export function makeBatch(
  batch_id: string,
  sensor_id: string,
  events: AttackEvent[],
  received_at = T0 + DAY,
): BusBatch {
  return { batch_id, sensor_id, received_at, clock_offset_ms: 0, events };
}

export function ev(ts: number, port: number, src: string, extra: Partial<AttackEvent> = {}): AttackEvent {
  return { ts, proto: 'tcp', port, src, ...extra };
}

const ip = (i: number): string => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

function alert(id: string, port: number, status: AlertRecord['status'], updated_at: number): AlertRecord {
  return {
    id,
    proto: 'tcp',
    port,
    severity: 40,
    level: 'low',
    status,
    opened_at: T0,
    updated_at,
    evidence: { reason: id },
  };
}

export function runStoreContract(name: string, makeStore: () => Store | Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    const open = async (): Promise<Store> => (store = await makeStore());
    const row = (proto: Protocol, port: number, g: '5m' | '1h' | '1d', bucket: number) =>
      store.portSeries(proto, port, g, bucket, bucket + 1)[0];
    afterEach(() => store?.close());

    it('applies a batch id exactly once, across calls and within one call', async () => {
      const s = await open();
      const a = makeBatch('batch-aaa', 's1', [ev(T0, 22, '1.1.1.1'), ev(T0 + 1, 22, '1.1.1.2')]);
      const b = makeBatch('batch-bbb', 's1', [ev(T0 + 2, 22, '1.1.1.3')]);
      expect(s.applyBatches([a])).toEqual({ applied: 1, skipped: 0, events: 2 });
      expect(s.applyBatches([a, b])).toEqual({ applied: 1, skipped: 1, events: 1 });
      const c = makeBatch('batch-ccc', 's1', [ev(T0 + 3, 22, '1.1.1.4')]);
      expect(s.applyBatches([c, c])).toEqual({ applied: 1, skipped: 1, events: 1 });
      expect(s.isBatchApplied('batch-aaa')).toBe(true);
      expect(s.isBatchApplied('batch-zzz')).toBe(false);
      expect(row('tcp', 22, '5m', T0)).toMatchObject({ events: 4, sources: 4, sensors: 1 });
      expect(s.applyBatches([])).toEqual({ applied: 0, skipped: 0, events: 0 });
    });

    it('counts distinct sources, sensors and targets exactly for small sets', async () => {
      const s = await open();
      const batches = ['s1', 's2', 's3'].map((sensor, k) =>
        makeBatch(
          `batch-${sensor}`,
          sensor,
          Array.from({ length: 40 }, (_, i) =>
            ev(T0 + i * 1000, 445, ip((i * 7 + k) % 37), { dst: ip(i % 5) }),
          ),
        ),
      );
      s.applyBatches(batches);
      expect(row('tcp', 445, '5m', T0)).toEqual({
        proto: 'tcp',
        port: 445,
        granularity: '5m',
        bucket: T0,
        events: 120,
        sources: 37,
        sensors: 3,
        targets: 5,
      });
    });

    it('builds 1h and 1d rows as the union of their 5m buckets', async () => {
      const s = await open();
      const events: AttackEvent[] = [];
      const union = new Set<string>();
      for (let b = 0; b < 12; b++) {
        for (let i = 0; i < 10; i++) {
          const src = ip(b * 5 + i); // neighbouring buckets share 5 sources
          union.add(src);
          events.push(ev(T0 + b * MIN5 + i, 80, src));
        }
      }
      s.applyBatches([makeBatch('batch-hour-1', 's1', events.slice(0, 60))]);
      s.applyBatches([makeBatch('batch-hour-2', 's2', events.slice(60))]);
      expect(row('tcp', 80, '5m', T0 + MIN5)).toMatchObject({ events: 10, sources: 10 });
      expect(row('tcp', 80, '1h', T0)).toMatchObject({ events: 120, sources: union.size, sensors: 2 });
      const day = Math.floor(T0 / DAY) * DAY;
      expect(row('tcp', 80, '1d', day)).toMatchObject({ events: 120, sources: union.size, sensors: 2 });
    });

    it('keeps rollups equal to the union of 5m buckets past the exact threshold (sketches)', async () => {
      const s = await open();
      const n = 3000;
      const events = Array.from({ length: n }, (_, i) => ev(T0 + (i % 12) * MIN5 + i, 1433, ip(i)));
      for (let k = 0; k < 6; k++) {
        s.applyBatches([
          makeBatch(
            `batch-big-${k}`,
            `s${k}`,
            events.filter((_, i) => i % 6 === k),
          ),
        ]);
      }
      const hour = row('tcp', 1433, '1h', T0);
      const merged = s.topPorts('5m', T0, T0 + HOUR, 1)[0];
      expect(hour?.events).toBe(n);
      expect(merged?.sources).toBe(hour?.sources);
      expect(Math.abs((hour?.sources ?? 0) - n) / n).toBeLessThan(0.05);
      expect(hour?.sensors).toBe(6);
    });

    it('topPorts merges distinct counts over the window instead of summing buckets', async () => {
      const s = await open();
      const events: AttackEvent[] = [];
      for (let b = 0; b < 6; b++) for (let i = 0; i < 10; i++) events.push(ev(T0 + b * MIN5, 23, ip(i)));
      for (let i = 0; i < 15; i++) events.push(ev(T0 + 2 * MIN5, 3389, ip(100 + i)));
      for (let i = 0; i < 3; i++) events.push(ev(T0, 5060, ip(200 + i), { proto: 'udp' }));
      events.push(ev(T0 + 2 * HOUR, 3389, ip(999))); // outside the window
      s.applyBatches([makeBatch('batch-top-1', 's1', events)]);
      s.applyBatches([makeBatch('batch-top-2', 's2', [ev(T0 + MIN5, 23, ip(0))])]);
      const top = s.topPorts('5m', T0, T0 + HOUR, 2);
      expect(top).toEqual([
        { proto: 'tcp', port: 3389, events: 15, sources: 15, sensors: 1, targets: 0 },
        { proto: 'tcp', port: 23, events: 61, sources: 10, sensors: 2, targets: 0 },
      ]);
      expect(s.topPorts('5m', T0, T0 + HOUR, 10).map((t) => `${t.proto}/${t.port}`)).toEqual([
        'tcp/3389',
        'tcp/23',
        'udp/5060',
      ]);
      expect(s.topPorts('5m', T0, T0 + HOUR, 0)).toEqual([]);
    });

    it('puts late events in their own buckets', async () => {
      const s = await open();
      s.applyBatches([makeBatch('batch-now', 's1', [ev(T0, 25, '1.2.3.4')])]);
      const late = T0 - 3 * DAY;
      s.applyBatches([makeBatch('batch-late', 's1', [ev(late, 25, '5.6.7.8'), ev(late + 1, 25, '5.6.7.9')])]);
      expect(row('tcp', 25, '5m', late)).toMatchObject({ events: 2, sources: 2 });
      expect(row('tcp', 25, '5m', T0)).toMatchObject({ events: 1, sources: 1 });
      expect(s.latestBucket('5m')).toBe(T0);
      expect(s.earliestBucket('5m')).toBe(late);
      expect(s.latestBucket('1d')).toBe(Math.floor(T0 / DAY) * DAY);
      expect(s.portSeries('tcp', 25, '5m', late, T0 + 1).map((r) => r.bucket)).toEqual([late, T0]);
      expect(s.bucketRows('5m', late)).toHaveLength(1);
    });

    it('reports no buckets for an empty store', async () => {
      const s = await open();
      expect(s.latestBucket('5m')).toBeNull();
      expect(s.earliestBucket('1h')).toBeNull();
      expect(s.bucketRows('5m', T0)).toEqual([]);
      expect(s.topPorts('1h', T0, T0 + DAY, 10)).toEqual([]);
    });

    it('applies nothing of a call that fails part-way', async () => {
      const s = await open();
      const good = makeBatch('batch-good', 's1', [ev(T0, 21, '1.1.1.1')]);
      const bad = makeBatch('batch-bad1', 's1', [ev(T0, 21, '1.1.1.2', { proto: 'bogus' as Protocol })]);
      expect(() => s.applyBatches([good, bad])).toThrow();
      expect(s.isBatchApplied('batch-good')).toBe(false);
      expect(s.bucketRows('5m', T0)).toEqual([]);
      expect(s.applyBatches([good])).toMatchObject({ applied: 1 });
    });

    it('makes enrolment tokens single-use and honours expiry', async () => {
      const s = await open();
      s.createEnrollmentToken('hash-1', T0 + HOUR, 'op-a');
      s.createEnrollmentToken('hash-2', T0 + HOUR, 'op-b');
      expect(s.consumeEnrollmentToken('hash-1', T0)).toBe('op-a');
      expect(s.consumeEnrollmentToken('hash-1', T0)).toBeNull();
      expect(s.consumeEnrollmentToken('hash-2', T0 + HOUR)).toBeNull();
      expect(s.consumeEnrollmentToken('unknown', T0)).toBeNull();
    });

    it('records sensors, their activity and revocation', async () => {
      const s = await open();
      s.addSensor({ id: 's1', name: 'one', operator: 'op-a', public_key_pem: 'PEM1', created_at: T0 });
      s.addSensor({ id: 's2', name: 'two', operator: 'op-b', public_key_pem: 'PEM2', created_at: T0 + 1 });
      expect(s.getSensor('s1')).toEqual({
        id: 's1',
        name: 'one',
        operator: 'op-a',
        public_key_pem: 'PEM1',
        created_at: T0,
        last_seen: null,
        events_total: 0,
        revoked: false,
      });
      s.applyBatches([
        makeBatch('batch-act-1', 's1', [ev(T0, 22, '1.1.1.1'), ev(T0, 22, '1.1.1.2')], T0 + 10),
        makeBatch('batch-act-2', 's1', [ev(T0, 22, '1.1.1.3')], T0 + 5),
      ]);
      expect(s.getSensor('s1')).toMatchObject({ last_seen: T0 + 10, events_total: 3 });
      expect(s.revokeSensor('s2')).toBe(true);
      expect(s.revokeSensor('nope')).toBe(false);
      expect(s.listSensors().map((x) => [x.id, x.revoked])).toEqual([
        ['s1', false],
        ['s2', true],
      ]);
      expect(s.getSensor('nope')).toBeUndefined();
    });

    it('keeps alerts and finds the open one per key', async () => {
      const s = await open();
      s.saveAlert(alert('al-1', 22, 'open', T0));
      s.saveAlert(alert('al-2', 23, 'open', T0 + 2));
      s.saveAlert(alert('al-0', 22, 'resolved', T0 + 1));
      expect(s.openAlertFor('tcp', 22)).toEqual(alert('al-1', 22, 'open', T0));
      s.saveAlert(alert('al-1', 22, 'resolved', T0 + 3));
      expect(s.openAlertFor('tcp', 22)).toBeUndefined();
      expect(s.listAlerts(10).map((a) => a.id)).toEqual(['al-1', 'al-2', 'al-0']);
      expect(s.listAlerts(1).map((a) => a.id)).toEqual(['al-1']);
      expect(s.listAlerts(10, 'open').map((a) => a.id)).toEqual(['al-2']);
    });

    it('keeps meta values', async () => {
      const s = await open();
      expect(s.getMeta('k')).toBeUndefined();
      s.setMeta('k', 'v1');
      s.setMeta('k', 'v2');
      expect(s.getMeta('k')).toBe('v2');
    });
  });
}
