/**
 * The store contract: one test suite that every Store implementation must pass (sqlite now, postgres later).
 * Call runStoreContract from an implementation's own *.test.ts with a factory that opens an EMPTY store.
 *
 * @example runStoreContract('sqlite', () => openSqliteStore({ path: ':memory:', seed, logger }));
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DistinctCounter } from '../core/distinct/index.js';
import type { AttackEvent, Protocol } from '../core/event.js';
import type { BusBatch } from '../bus/bus.js';
import type {
  AlertRecord,
  PruneResult,
  PrunedTable,
  RetentionPolicy,
  Store,
  StoredAnomaly,
  StoredIncident,
} from './store.js';

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
        operators: 3,
        targets: 5,
        sources_handshake: 0,
        sources_no_handshake: 0,
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
      const none = { targets: 0, sources_handshake: 0, sources_no_handshake: 0 };
      expect(top).toEqual([
        { proto: 'tcp', port: 3389, events: 15, sources: 15, sensors: 1, operators: 1, ...none },
        { proto: 'tcp', port: 23, events: 61, sources: 10, sensors: 2, operators: 2, ...none },
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
        public_id: expect.stringMatching(/^ps_[0-9a-f]{16}$/) as string,
        name: 'one',
        operator: 'op-a',
        public_key_pem: 'PEM1',
        pending_public_key_pem: null,
        previous_public_key_pem: null,
        previous_key_valid_until: null,
        created_at: T0,
        last_seen: null,
        events_total: 0,
        revoked: false,
        watched_addresses: 1,
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

    it('keeps operators: one per name, stable random ids, and a record for every sensor operator', async () => {
      const s = await open();
      const a = s.ensureOperator('Acme CERT', T0);
      expect(a.created).toBe(true);
      expect(a.operator).toEqual({
        id: expect.stringMatching(/^o_[0-9a-f]{16}$/) as string,
        name: 'Acme CERT',
        public_id: expect.stringMatching(/^po_[0-9a-f]{16}$/) as string,
        created_at: T0,
      });
      expect(s.ensureOperator('Acme CERT', T0 + 5)).toEqual({ operator: a.operator, created: false });
      const b = s.ensureOperator('beta', T0 + 1).operator;
      expect(b.id).not.toBe(a.operator.id);
      expect(b.public_id).not.toBe(a.operator.public_id);
      expect(s.getOperator(a.operator.id)).toEqual(a.operator);
      expect(s.getOperator('Acme CERT')).toBeUndefined();
      s.addSensor({ id: 's1', name: 'one', operator: a.operator.id, public_key_pem: 'P', created_at: T0 });
      s.addSensor({ id: 's2', name: 'two', operator: 'op-legacy', public_key_pem: 'P', created_at: T0 + 2 });
      expect(s.getSensor('s1')?.operator).toBe(a.operator.id);
      expect(s.listOperators().map((o) => [o.name, o.created_at])).toEqual([
        ['Acme CERT', T0],
        ['beta', T0 + 1],
        ['op-legacy', T0 + 2],
      ]);
      expect(s.getOperator('op-legacy')?.public_id).toMatch(/^po_[0-9a-f]{16}$/);
      expect(s.getSensor('s1')?.public_id).not.toBe(s.getSensor('s2')?.public_id);
    });

    it('rotates a key: pending until promoted, previous kept until a time, never on a revoked sensor', async () => {
      const s = await open();
      s.addSensor({ id: 's1', name: 'one', operator: 'op', public_key_pem: 'K1', created_at: T0 });
      expect(s.setPendingSensorKey('nope', 'K2')).toBe(false);
      expect(s.setPendingSensorKey('s1', 'K2')).toBe(true);
      expect(s.getSensor('s1')).toMatchObject({ public_key_pem: 'K1', pending_public_key_pem: 'K2' });
      expect(s.promoteSensorKey('s1', 'K3', T0 + HOUR)).toBe(false); // not the pending key
      expect(s.promoteSensorKey('s1', 'K2', T0 + HOUR)).toBe(true);
      expect(s.getSensor('s1')).toMatchObject({
        public_key_pem: 'K2',
        pending_public_key_pem: null,
        previous_public_key_pem: 'K1',
        previous_key_valid_until: T0 + HOUR,
      });
      expect(s.promoteSensorKey('s1', 'K2', T0 + 2 * HOUR)).toBe(false); // already done: nothing changes
      expect(s.getSensor('s1')?.previous_key_valid_until).toBe(T0 + HOUR);
      expect(s.setPendingSensorKey('s1', 'K3')).toBe(true);
      expect(s.promoteSensorKey('s1', 'K3', T0 + 3 * HOUR)).toBe(true);
      expect(s.getSensor('s1')).toMatchObject({ public_key_pem: 'K3', previous_public_key_pem: 'K2' });
      expect(s.setPendingSensorKey('s1', 'K4')).toBe(true);
      s.revokeSensor('s1');
      expect(s.promoteSensorKey('s1', 'K4', T0)).toBe(false);
      expect(s.setPendingSensorKey('s1', 'K5')).toBe(false);
    });

    it('commits engine rows whole with their batch ids, loads them back, refuses an id twice', async () => {
      await open();
      const sketch = (): Buffer => {
        const c = DistinctCounter.create();
        c.addHash(store.hasher.hash('1.2.3.4'));
        return c.serialize();
      };
      const port = {
        proto: 'tcp' as const,
        port: 1025,
        granularity: '5m' as const,
        bucket: T0,
        events: 7,
        sources: 1,
        sensors: 1,
        operators: 1,
        targets: 1,
        sources_handshake: 1,
        sources_no_handshake: 0,
        src_sketch: sketch(),
        sensor_sketch: sketch(),
        operator_sketch: sketch(),
        target_sketch: sketch(),
        hs_sketch: sketch(),
        nohs_sketch: null,
      };
      const source = {
        day: T0 - (T0 % DAY),
        src: '1.2.3.4',
        events: 7,
        first_seen: T0,
        last_seen: T0 + 5,
        ports: 1,
        sensors: 1,
        operators: 1,
        country: 'US',
        asn: 15169,
        as_name: 'Example',
        top_ports: '[["tcp/1025",7]]',
        state: Buffer.from([1, 2, 3]),
      };
      const hour = {
        sensor_id: 's1',
        bucket: T0,
        events: 7,
        batches: 1,
        lag_ms_sum: 70,
        lag_ms_max: 20,
        stats: '{}',
      };
      const applied = {
        batch_id: 'c-1',
        sensor_id: 's1',
        received_at: T0,
        events: 7,
        min_ts: T0,
        max_ts: T0 + 5,
      };
      store.commitRollups({
        batches: [{ ...applied, raw: Buffer.from('raw') }],
        ports: [port],
        sources: [source],
        sensorBuckets: [hour],
        sensors: [],
      });
      expect(store.isBatchApplied('c-1')).toBe(true);
      expect(store.loadPortRow('tcp', 1025, '5m', T0)).toMatchObject({ events: 7, nohs_sketch: null });
      expect(store.loadPortRow('tcp', 1025, '5m', T0)?.src_sketch.equals(port.src_sketch)).toBe(true);
      expect(row('tcp', 1025, '5m', T0)).toMatchObject({ events: 7, sources: 1 });
      expect(store.loadSourceDay(source.day, '1.2.3.4')).toEqual(source);
      expect(store.loadSensorBucket('s1', T0)).toEqual(hour);
      expect(store.loadPortRow('tcp', 1026, '5m', T0)).toBeUndefined();
      const again = {
        batches: [{ ...applied, raw: null }],
        ports: [{ ...port, events: 99 }],
        sources: [],
        sensorBuckets: [],
        sensors: [],
      };
      expect(() => store.commitRollups(again)).toThrow(/already applied/);
      expect(row('tcp', 1025, '5m', T0)).toMatchObject({ events: 7 });
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

  describe(`Store contract: ${name}: per-source and per-sensor reads, retention, upkeep`, () => {
    let store: Store;
    const open = async (): Promise<Store> => (store = await makeStore());
    afterEach(() => store?.close());
    const D0 = Math.floor(T0 / DAY) * DAY;
    const FOREVER = 100_000;
    const keepAll: RetentionPolicy = {
      five_minute_days: FOREVER,
      hourly_days: FOREVER,
      daily_days: null,
      source_days: FOREVER,
      sensor_days: FOREVER,
      raw_batch_days: FOREVER,
      applied_batch_days: FOREVER,
      max_db_bytes: null,
    };
    const pruneAll = (s: Store, policy: RetentionPolicy, now: number): PruneResult[] => {
      const out: PruneResult[] = [];
      for (let i = 0; i < 10_000; i++) {
        const r = s.prune(policy, now, 1);
        out.push(r);
        if (!r.more) return out;
      }
      throw new Error('prune never finished');
    };
    const deletedOf = (rs: PruneResult[], t: PrunedTable): number => rs.reduce((n, r) => n + r.deleted[t], 0);

    it('sums a source over days (topSources) and lists its days (sourceHistory)', async () => {
      const s = await open();
      const a = '198.51.100.1';
      const b = '198.51.100.2';
      s.applyBatches([
        makeBatch('batch-src-1', 's1', [
          ev(T0, 22, a),
          ev(T0 + 1, 22, a),
          ev(T0 + 2, 23, a),
          ev(T0 + 3, 445, b),
        ]),
        makeBatch('batch-src-2', 's2', [
          ev(T0 + DAY, 22, a),
          ev(T0 + DAY + 5, 22, a),
          ...[1, 2, 3].map((i) => ev(T0 + DAY + i, 445, b)),
          ev(T0 + DAY + 9, 80, '203.0.113.9'),
        ]),
      ]);
      const both = s.topSources(D0, D0 + 2 * DAY, 10);
      expect(both.map((t) => [t.src, t.events, t.days])).toEqual([
        [a, 5, 2],
        [b, 4, 2],
        ['203.0.113.9', 1, 1],
      ]);
      expect(both[0]).toMatchObject({
        first_seen: T0,
        last_seen: T0 + DAY + 5,
        ports: 2,
        sensors: 1,
        top_ports: [
          ['tcp/22', 4],
          ['tcp/23', 1],
        ],
      });
      expect(s.topSources(D0, D0 + 2 * DAY, 1).map((t) => t.src)).toEqual([a]);
      expect(s.topSources(D0 + DAY, D0 + 2 * DAY, 10).map((t) => [t.src, t.events])).toEqual([
        [b, 3],
        [a, 2],
        ['203.0.113.9', 1],
      ]);
      expect(s.topSources(D0, D0, 10)).toEqual([]);
      const days = s.sourceHistory(a, D0 - DAY, D0 + 3 * DAY);
      expect(days.map((d) => [d.day, d.events, d.ports, d.sensors])).toEqual([
        [D0, 3, 2, 1],
        [D0 + DAY, 2, 1, 1],
      ]);
      expect(days[0]?.top_ports).toEqual([
        ['tcp/22', 2],
        ['tcp/23', 1],
      ]);
      expect(s.sourceHistory('192.0.2.77', D0, D0 + 3 * DAY)).toEqual([]);
    });

    it('keeps per-sensor hours: events, batches, arrival lag and reported counters', async () => {
      const s = await open();
      const first = {
        ...makeBatch(
          'batch-sen-1',
          's1',
          [ev(T0, 22, '1.1.1.1'), ev(T0 + 60_000, 22, '1.1.1.2')],
          T0 + 600_000,
        ),
        stats: { dropped: 5 },
      };
      const second = {
        ...makeBatch('batch-sen-2', 's1', [ev(T0 + 120_000, 23, '1.1.1.3')], T0 + 130_000),
        stats: { dropped: 2, parse_errors: 1 },
      };
      s.applyBatches([first, second]);
      s.applyBatches([makeBatch('batch-sen-3', 's1', [ev(T0 + HOUR, 23, '1.1.1.3')], T0 + HOUR)]);
      expect(s.sensorBuckets('s1', T0, T0 + HOUR)).toEqual([
        {
          sensor_id: 's1',
          bucket: T0,
          events: 3,
          batches: 2,
          lag_ms_sum: 600_000 + 540_000 + 10_000,
          lag_ms_max: 600_000,
          stats: { dropped: 7, parse_errors: 1 },
        },
      ]);
      expect(s.sensorBuckets('s1', T0, T0 + 2 * HOUR).map((r) => r.bucket)).toEqual([T0, T0 + HOUR]);
      expect(s.sensorBuckets('s2', T0, T0 + 2 * HOUR)).toEqual([]);
    });

    it('prunes by age, table by table, in bounded steps, and keeps what is young', async () => {
      const s = await open();
      const now = D0 + 100 * DAY + 12 * HOUR;
      const at = (t: number, id: string): BusBatch => ({
        ...makeBatch(id, 's1', [ev(t, 22, '1.1.1.1'), ev(t, 23, '1.1.1.2')], t),
        raw: Buffer.from(`{"batch_id":"${id}"}`),
      });
      s.applyBatches([
        at(now - 20 * DAY, 'batch-old'),
        at(now - 10 * DAY, 'batch-mid'),
        at(now - HOUR, 'batch-new'),
      ]);
      const policy: RetentionPolicy = {
        ...keepAll,
        five_minute_days: 14,
        hourly_days: 15,
        source_days: 15,
        sensor_days: 15,
        raw_batch_days: 7,
      };
      const one = s.prune(policy, now, 1);
      expect(one.more).toBe(true);
      expect(Object.values(one.deleted).reduce((x, y) => x + y, 0)).toBe(1);
      const runs = [one, ...pruneAll(s, policy, now)];
      expect(deletedOf(runs, 'port_buckets_5m')).toBe(2);
      expect(deletedOf(runs, 'port_buckets_1h')).toBe(2);
      expect(deletedOf(runs, 'port_buckets_1d')).toBe(0);
      expect(deletedOf(runs, 'source_days')).toBe(2);
      expect(deletedOf(runs, 'sensor_buckets')).toBe(1);
      expect(deletedOf(runs, 'raw_batches')).toBe(2);
      expect(deletedOf(runs, 'applied_batches')).toBe(0);
      expect(runs.flatMap((r) => r.forced)).toEqual([]);
      const old = now - 20 * DAY;
      const mid = now - 10 * DAY;
      expect(s.portSeries('tcp', 22, '5m', old - DAY, now).map((r) => r.bucket)).toEqual([
        Math.floor(mid / MIN5) * MIN5,
        Math.floor((now - HOUR) / MIN5) * MIN5,
      ]);
      expect(s.portSeries('tcp', 22, '1d', old - DAY, now)).toHaveLength(3);
      expect(s.sourceHistory('1.1.1.1', old - DAY, now + DAY)).toHaveLength(2);
      expect(s.isBatchApplied('batch-old')).toBe(true);
      expect(s.prune(policy, now)).toMatchObject({ more: false, forced: [], over_cap: false });
      const daily = pruneAll(s, { ...policy, daily_days: 15 }, now);
      expect(deletedOf(daily, 'port_buckets_1d')).toBe(2);
    });

    it('over max_db_bytes deletes raw batches, then source days, then 5m rows, oldest first, and says so', async () => {
      const s = await open();
      const batches = [3, 1, 2].map((d) => ({
        ...makeBatch(`batch-cap-${d}`, 's1', [ev(D0 + d * DAY, 22, `1.1.1.${d}`)], D0 + d * DAY + 1),
        raw: Buffer.from(`{"batch_id":"batch-cap-${d}"}`),
      }));
      s.applyBatches(batches);
      const policy = { ...keepAll, max_db_bytes: 1 };
      const runs = pruneAll(s, policy, D0 + 10 * DAY);
      const forced = runs.flatMap((r) => r.forced).map((f) => [f.table, f.rows, f.oldest, f.newest]);
      const t = (d: number): number => D0 + d * DAY;
      const b5 = (d: number): number => Math.floor(t(d) / MIN5) * MIN5;
      expect(forced).toEqual([
        ['raw_batches', 1, t(1) + 1, t(1) + 1],
        ['raw_batches', 1, t(2) + 1, t(2) + 1],
        ['raw_batches', 1, t(3) + 1, t(3) + 1],
        ['source_days', 1, t(1), t(1)],
        ['source_days', 1, t(2), t(2)],
        ['source_days', 1, t(3), t(3)],
        ['port_buckets_5m', 1, b5(1), b5(1)],
        ['port_buckets_5m', 1, b5(2), b5(2)],
        ['port_buckets_5m', 1, b5(3), b5(3)],
      ]);
      const last = runs.at(-1);
      expect(last?.over_cap).toBe(true);
      expect(last?.usage.used_bytes).toBeGreaterThan(1);
      expect(s.portSeries('tcp', 22, '1h', D0, D0 + 5 * DAY)).toHaveLength(3);
      expect(s.portSeries('tcp', 22, '1d', D0, D0 + 5 * DAY)).toHaveLength(3);
      expect(s.isBatchApplied('batch-cap-1')).toBe(true);
      expect(s.usage().file_bytes).toBeGreaterThanOrEqual(s.usage().used_bytes);
    });

    it('answers topPorts over days the same before and after maintain(), and after late events', async () => {
      const s = await open();
      const events: AttackEvent[] = [];
      for (let d = 0; d < 12; d++) {
        for (let i = 0; i < 3 + d; i++) events.push(ev(D0 + d * DAY + i, 80, ip(i)));
        for (let i = 0; i < 8; i++) events.push(ev(D0 + d * DAY + i, 443, ip(1000 + d * 8 + i)));
        events.push(ev(D0 + d * DAY, 1000 + d, ip(5)));
      }
      s.applyBatches([makeBatch('batch-days', 's1', events)]);
      const now = D0 + 13 * DAY;
      const ranks = (): string[][] =>
        [
          [D0, D0 + 12 * DAY, 3],
          [D0 + 3 * DAY, D0 + 11 * DAY, 2],
          [D0, D0 + 12 * DAY, 50],
        ].map(([f, t, n]) =>
          s
            .topPorts('1d', f as number, t as number, n as number)
            .map((r) => `${r.port}:${r.sources}:${r.events}`),
        );
      const before = ranks();
      expect(before[0]).toEqual(['443:96:96', '80:14:102', '1000:1:1']);
      let steps = 0;
      for (let more = true; more && steps < 1000; steps++) more = s.maintain(now, 1).more;
      expect(ranks()).toEqual(before);
      s.applyBatches([
        makeBatch('batch-late', 's2', [ev(D0 + 2 * DAY, 80, ip(500)), ev(D0 + 2 * DAY, 1000, ip(7))]),
      ]);
      const late = ranks();
      expect(late[0]).toEqual(['443:96:96', '80:15:103', '1000:2:2']);
      for (let more = true; more && steps < 2000; steps++) more = s.maintain(now, 1).more;
      expect(ranks()).toEqual(late);
    });
  });

  runDetectionContract(name, makeStore);
}

function incident(
  id: string,
  port: number,
  status: StoredIncident['status'],
  updated_at: number,
): StoredIncident {
  return {
    id,
    proto: 'tcp',
    port,
    status,
    level: 'medium',
    severity: 55,
    opened_at: T0,
    updated_at,
    campaign: null,
    backfilled: false,
    body: { id, note: `incident ${id}` },
  };
}

function anomaly(port: number, bucket: number): StoredAnomaly {
  return { proto: 'tcp', port, granularity: '5m', bucket, body: { port, bucket } };
}

/** What the detector reads (bucketObservation) and writes (state, incidents, anomalies). */
function runDetectionContract(name: string, makeStore: () => Store | Promise<Store>): void {
  describe(`Store contract: ${name}: detector input and output`, () => {
    let store: Store;
    const open = async (): Promise<Store> => (store = await makeStore());
    afterEach(() => store?.close());
    const OLD = T0 - 30 * DAY;

    it('gives every key of a bucket with counts, capped events and operator shares under public ids', async () => {
      const s = await open();
      s.addSensor({ id: 'a1', name: 'a1', operator: 'op-a', public_key_pem: 'P', created_at: OLD });
      s.addSensor({ id: 'a2', name: 'a2', operator: 'op-a', public_key_pem: 'P', created_at: OLD });
      s.addSensor({ id: 'b1', name: 'b1', operator: 'op-b', public_key_pem: 'P', created_at: OLD });
      // A sensor enrolled an hour ago: on probation, no weight, but seen.
      s.addSensor({ id: 'n1', name: 'n1', operator: 'op-new', public_key_pem: 'P', created_at: T0 - HOUR });
      const pub = new Map(s.listOperators().map((o) => [o.name, o.public_id]));
      const flood = Array.from({ length: 50 }, (_, i) => ev(T0 + i, 445, '9.9.9.9'));
      s.applyBatches([
        makeBatch('x1', 'a1', [...flood, ev(T0, 445, ip(1)), ev(T0, 445, ip(2)), ev(T0, 22, ip(1))]),
        makeBatch('x2', 'a2', [ev(T0 + 5, 445, ip(3))]),
        makeBatch('x3', 'b1', [ev(T0 + 6, 445, ip(1))]),
        makeBatch('x4', 'n1', [ev(T0 + 7, 445, ip(9)), ev(T0 + 8, 445, ip(8))]),
        makeBatch('x5', 'b1', [ev(T0 + MIN5, 445, ip(7))]),
      ]);
      const o = s.bucketObservation('5m', T0);
      expect(o).toMatchObject({
        granularity: '5m',
        bucket: T0,
        exposure: 3,
        fleet_sensors: 4,
        fleet_operators: 3,
      });
      expect(o.keys.map((k) => `${k.proto}/${k.port}`)).toEqual(['tcp/22', 'tcp/445']);
      const k445 = o.keys[1];
      expect(k445).toMatchObject({ sources: 6, sensors: 4, operators: 3, events: 56, events_capped: 26 });
      // A share of a few sensors names them (public ids, sorted), so that a local anomaly can blame sensors.
      const ps = (id: string): string => s.getSensor(id)?.public_id ?? '?';
      expect(k445?.by_operator).toEqual([
        { operator: pub.get('op-a'), sources: 4, sensors: 2, sensor_ids: [ps('a1'), ps('a2')].sort() },
        { operator: pub.get('op-new'), sources: 2, sensors: 1, probation: true, sensor_ids: [ps('n1')] },
        { operator: pub.get('op-b'), sources: 1, sensors: 1, sensor_ids: [ps('b1')] },
      ]);
      expect(o.keys[0]?.by_operator).toEqual([
        { operator: pub.get('op-a'), sources: 1, sensors: 1, sensor_ids: [ps('a1')] },
      ]);
      // The next bucket holds only b1's event; the hour-long activity window still sees all four sensors.
      const next = s.bucketObservation('5m', T0 + MIN5);
      expect(next.keys.map((k) => [k.port, k.sources])).toEqual([[445, 1]]);
      expect(next).toMatchObject({ exposure: 3, fleet_sensors: 4 });
      const hour = s.bucketObservation('1h', T0);
      expect(hour.keys[1]).toMatchObject({ sources: 7, events: 57, events_capped: 27 });
      expect(s.bucketObservation('1d', Math.floor(T0 / DAY) * DAY).keys).toHaveLength(2);
      expect(s.bucketObservation('5m', T0 + 2 * DAY)).toMatchObject({
        exposure: 0,
        fleet_sensors: 0,
        keys: [],
      });
    });

    it('weighs each sensor by the addresses it last declared (1 + log2), keeping the value until it changes', async () => {
      const s = await open();
      s.addSensor({ id: 'big', name: 'big', operator: 'op-a', public_key_pem: 'P', created_at: OLD });
      s.addSensor({ id: 'one', name: 'one', operator: 'op-b', public_key_pem: 'P', created_at: OLD });
      s.applyBatches([
        { ...makeBatch('w1', 'big', [ev(T0, 445, ip(1))]), watched_addresses: 256 },
        makeBatch('w2', 'one', [ev(T0, 445, ip(2))]),
      ]);
      expect(s.getSensor('big')?.watched_addresses).toBe(256);
      expect(s.getSensor('one')?.watched_addresses).toBe(1);
      // A /24 sensor weighs 9, a one-address sensor 1.
      expect(s.bucketObservation('5m', T0)).toMatchObject({ exposure: 10, fleet_sensors: 2 });
      // A batch that does not say keeps the last value (the next hour: only this sensor was active); one that
      // says 1 sets it back.
      s.applyBatches([makeBatch('w3', 'big', [ev(T0 + HOUR, 445, ip(3))], T0 + DAY + HOUR)]);
      expect(s.bucketObservation('1h', T0 + HOUR)).toMatchObject({ exposure: 9, fleet_sensors: 1 });
      s.applyBatches([
        {
          ...makeBatch('w4', 'big', [ev(T0 + 2 * HOUR, 445, ip(4))], T0 + DAY + 2 * HOUR),
          watched_addresses: 1,
        },
      ]);
      expect(s.bucketObservation('1h', T0 + 2 * HOUR)).toMatchObject({ exposure: 1, fleet_sensors: 1 });
    });

    it('counts a sensor that sent only an empty batch as active, and ends probation after 14 days', async () => {
      const s = await open();
      s.addSensor({ id: 'q', name: 'q', operator: 'op-q', public_key_pem: 'P', created_at: T0 - 14 * DAY });
      s.addSensor({
        id: 'p',
        name: 'p',
        operator: 'op-p',
        public_key_pem: 'P',
        created_at: T0 - 14 * DAY + 1,
      });
      s.applyBatches([makeBatch('e1', 'q', [], T0 + 60_000), makeBatch('e2', 'p', [ev(T0, 80, ip(1))])]);
      const o = s.bucketObservation('5m', T0);
      expect(o).toMatchObject({ exposure: 1, fleet_sensors: 2, fleet_operators: 2 });
      const pub = s.listOperators().find((op) => op.name === 'op-p')?.public_id;
      expect(o.keys[0]?.by_operator).toEqual([
        { operator: pub, sources: 1, sensors: 1, probation: true, sensor_ids: [s.getSensor('p')?.public_id] },
      ]);
    });

    it('saves the detector state with its position, incidents and anomalies together', async () => {
      const s = await open();
      expect(s.loadDetectorState('main')).toBeUndefined();
      s.saveDetectorState('main', Buffer.from([1, 2, 3]), '5m:1', {
        incidents: [incident('i1', 22, 'open', T0)],
        anomalies: [anomaly(23, T0)],
      });
      s.saveDetectorState('main', new Uint8Array([4, 5]), '5m:2');
      const st = s.loadDetectorState('main');
      expect([...(st?.data ?? [])]).toEqual([4, 5]);
      expect(st?.position).toBe('5m:2');
      expect(s.getIncident('i1')).toEqual(incident('i1', 22, 'open', T0));
      expect(s.listAnomalies({ limit: 10 })).toMatchObject([
        { proto: 'tcp', port: 23, bucket: T0, body: { port: 23 } },
      ]);
      // A failing write inside the transaction leaves nothing of it behind.
      const bad = { ...incident('i2', 22, 'open', T0), body: { self: 1n } };
      expect(() => s.saveDetectorState('main', Buffer.from([9]), '5m:3', { incidents: [bad] })).toThrow();
      expect(s.loadDetectorState('main')?.position).toBe('5m:2');
      expect(s.getIncident('i2')).toBeUndefined();
    });

    it('saves a detector state in parts, replaces every part on the next save, and rolls a failed one back', async () => {
      const s = await open();
      let made = 0;
      const parts = function* (sizes: number[], failAt = -1): Generator<Uint8Array> {
        for (const [i, n] of sizes.entries()) {
          if (i === failAt) throw new Error('part failed');
          made++;
          yield new Uint8Array(n).fill(i + 1);
        }
      };
      s.saveDetectorState('main', parts([3, 2, 4]), '5m:1');
      expect(made).toBe(3);
      let st = s.loadDetectorState('main');
      expect([...(st?.data ?? [])]).toEqual([1, 1, 1]);
      expect(st?.parts.map((p) => [...p])).toEqual([
        [2, 2],
        [3, 3, 3, 3],
      ]);
      // Fewer parts: the old third one is gone. A single buffer: no later parts.
      s.saveDetectorState('main', parts([1, 1]), '5m:2');
      expect(s.loadDetectorState('main')?.parts.map((p) => [...p])).toEqual([[2]]);
      s.saveDetectorState('main', new Uint8Array([7]), '5m:3');
      expect(s.loadDetectorState('main')).toMatchObject({ position: '5m:3', parts: [] });
      // A part that cannot be made leaves the previous state whole.
      s.saveDetectorState('main', parts([5, 5]), '5m:4');
      expect(() => s.saveDetectorState('main', parts([6, 6, 6], 2), '5m:5')).toThrow('part failed');
      st = s.loadDetectorState('main');
      expect(st?.position).toBe('5m:4');
      expect([...(st?.data ?? [])]).toEqual([1, 1, 1, 1, 1]);
      expect(st?.parts.map((p) => p.length)).toEqual([5]);
      expect(() => s.saveDetectorState('main', parts([]), '5m:6')).toThrow(/no part/);
    });

    it('upserts incidents and lists them newest first, by status and key', async () => {
      const s = await open();
      s.saveIncidents([incident('a', 22, 'open', T0 + 1), incident('b', 23, 'resolved', T0 + 2)]);
      s.saveIncidents([
        incident('c', 22, 'accepted', T0 + 3),
        { ...incident('a', 22, 'cooling', T0 + 4), backfilled: true },
      ]);
      expect(s.listIncidents({ limit: 10 }).map((i) => i.id)).toEqual(['a', 'c', 'b']);
      expect(
        s.listIncidents({ status: 'active', limit: 10 }).map((i) => [i.id, i.status, i.backfilled]),
      ).toEqual([['a', 'cooling', true]]);
      expect(s.listIncidents({ status: 'resolved', limit: 10 }).map((i) => i.id)).toEqual(['c', 'b']);
      expect(s.listIncidents({ limit: 10, proto: 'tcp', port: 22 }).map((i) => i.id)).toEqual(['a', 'c']);
      expect(s.listIncidents({ limit: 1 }).map((i) => i.id)).toEqual(['a']);
      expect(s.getIncident('zz')).toBeUndefined();
    });

    it('lists anomalies newest first by key, and prunes them with the 5m rows', async () => {
      const s = await open();
      s.saveAnomalies([anomaly(22, T0), anomaly(23, T0 + MIN5)]);
      s.saveAnomalies([anomaly(22, T0 + 10 * DAY)]);
      expect(s.listAnomalies({ limit: 10 }).map((a) => [a.port, a.bucket])).toEqual([
        [22, T0 + 10 * DAY],
        [23, T0 + MIN5],
        [22, T0],
      ]);
      expect(s.listAnomalies({ limit: 10, port: 22 }).map((a) => a.bucket)).toEqual([T0 + 10 * DAY, T0]);
      const policy: RetentionPolicy = {
        five_minute_days: 2,
        hourly_days: 1000,
        daily_days: null,
        source_days: 1000,
        sensor_days: 1000,
        raw_batch_days: 1000,
        applied_batch_days: 100_000,
        max_db_bytes: null,
      };
      for (let i = 0; i < 100 && s.prune(policy, T0 + 5 * DAY, 1).more; i++);
      expect(s.listAnomalies({ limit: 10 }).map((a) => a.bucket)).toEqual([T0 + 10 * DAY]);
    });
  });
}
