/**
 * The rollup engine: counts batches into whole rollup rows held in memory, and hands the rows touched since the
 * last commit to the store (types.ts), which writes them and the applied batch ids in one transaction.
 *
 * Invariants:
 * - A row is loaded from the store the first time it is touched and is the row's whole state from then on. So the
 *   engine must be the ONLY writer of rollups while it lives (the server's aggregator loop), and after a failed
 *   commit its memory may hold counts the store does not: the caller must reset() it (everything is reloaded).
 * - add() checks a whole batch before it changes anything: a batch with an event out of range is refused whole
 *   (SW_BATCH_INVALID) and nothing of it is counted.
 * - Every event counts in its 5m, 1h and 1d rows by its own event time (late events land in old buckets); the
 *   sensor and operator of a batch are added once per row per batch, and so is the sensor to its operator's share
 *   of the row (operator-shares.ts; probation by the row's bucket, probation.ts); the event's source goes to
 *   that share, to the row's capped events (port-row.ts) and is offered to the row's source sample
 *   (source-sample.ts; its country is looked up only when the sample takes it). Distinct counts and samples are
 *   unions, so a 1h row equals the union of its 5m rows.
 * - takeCommit() returns the rows dirtied since the previous takeCommit; committed() marks them clean and evicts
 *   rows idle for longer than the idle limits, and, past a count cap, the least recently touched rows down to 70%
 *   of the cap (they are in the store and are reloaded when touched again). So memory is bounded by the caps plus
 *   what is added before the next commit: a caller that commits as soon as overCaps() says so (the aggregator
 *   checks before each batch) holds at most the caps plus one batch (3 port rows and one source day an event).
 *
 * Cost per event: two keyed hashes, one Map lookup for the port rows, one for the source's day, a handful of set
 * inserts. Rows, not events, bound the commit.
 */
import { GRANULARITIES } from '../../core/buckets.js';
import type { Granularity } from '../../core/buckets.js';
import type { KeyedHasher } from '../../core/distinct/index.js';
import { PROTOCOLS } from '../../core/event.js';
import type { Protocol } from '../../core/event.js';
import { makeError } from '../../core/errors.js';
import type { BusBatch } from '../../bus/bus.js';
import { Freshness } from './freshness.js';
import { PortRow } from './port-row.js';
import type { Share } from './operator-shares.js';
import { SENSOR_PROBATION_MS, onProbation } from './probation.js';
import { SensorBucketState } from './sensor-bucket.js';
import { SourceDayState } from './source-day.js';
import type { AppliedBatch, GeoInfo, RollupCommit, RollupLoader, SensorTouch } from './types.js';

export interface RollupContext {
  hasher: KeyedHasher;
  /** The operator (stable internal id) a sensor belongs to. */
  operatorOf(sensorId: string): string;
  /** Country and AS of a source; called once per new (day, source). Default: all unknown. */
  geo?(ip: string): GeoInfo;
  /** How long a new sensor carries no weight (probation.ts). Default SENSOR_PROBATION_MS (14 days). */
  probationMs?: number;
}

export interface RollupEngineOptions {
  /** Keep per-(day, source) rollups. Default true. */
  sources?: boolean;
  /** Archive each batch's raw body (AppliedBatch.raw). Default true. */
  archiveRaw?: boolean;
  /** Port rows idle this long are evicted after a commit. Default 15 min. */
  portIdleMs?: number;
  /** Source-day states idle this long are evicted after a commit. Default 5 min. */
  sourceIdleMs?: number;
  /** Past this many source-day states, every clean one is evicted after a commit. Default 300,000. */
  maxSources?: number;
  /** Past this many port rows (5m + 1h + 1d), every clean one is evicted after a commit. Default 300,000. */
  maxPortRows?: number;
  /** Coarse clock for idleness (wall time). */
  now?: () => number;
}

export interface RollupEngineStats {
  port_rows: number;
  source_states: number;
  sensor_rows: number;
  pending_batches: number;
  pending_events: number;
}

interface Group {
  r5: PortRow;
  r1h: PortRow;
  r1d: PortRow;
  /** The shares of the current batch's operator in the three rows (set when the batch first touches it). */
  s5: Share | null;
  s1h: Share | null;
  s1d: Share | null;
  batch: number;
}

const NO_GEO: GeoInfo = Object.freeze({ country: null, asn: null, as_name: null });
const PROTO_INDEX = new Map<string, number>(PROTOCOLS.map((p, i) => [p, i]));
const KEYS = PROTOCOLS.length * 65536;
const S5 = GRANULARITIES['5m'];
const S1H = GRANULARITIES['1h'];
const S1D = GRANULARITIES['1d'];
/** Past a row cap, eviction keeps this share of the cap (the most recently touched rows). */
const KEEP_AFTER_CAP = 0.7;

export class RollupEngine {
  private readonly groups = new Map<number, Group>();
  private readonly hours = new Map<number, PortRow>();
  private readonly days = new Map<number, PortRow>();
  private readonly sourceDays = new Map<number, Map<string, SourceDayState>>();
  private readonly sensorRows = new Map<string, SensorBucketState>();
  /** Per granularity, and for source days: what is provably not in the store (freshness.ts). */
  private readonly fresh = { '5m': new Freshness(), '1h': new Freshness(), '1d': new Freshness() };
  private readonly freshSources = new Freshness();
  private dirtyPorts: PortRow[] = [];
  private dirtySources: SourceDayState[] = [];
  private dirtySensors: SensorBucketState[] = [];
  private batches: AppliedBatch[] = [];
  private sensorTouches = new Map<string, SensorTouch>();
  private readonly operatorHashes = new Map<string, number>();
  /** Enrolment time per sensor id (null: no record); never changes once a sensor exists. */
  private readonly createdAt = new Map<string, number | null>();
  private readonly geoObjects = new Map<string, GeoInfo>();
  /** Wall time the ticks count from: ticks are whole seconds since, small integers in every row. */
  private readonly epoch: number;
  private batchNo = 0;
  private pendingEvents = 0;
  private readonly opts: Required<Omit<RollupEngineOptions, 'now'>> & { now: () => number };

  constructor(
    private readonly loader: RollupLoader,
    private readonly ctx: RollupContext,
    opts: RollupEngineOptions = {},
  ) {
    this.opts = {
      sources: opts.sources ?? true,
      archiveRaw: opts.archiveRaw ?? true,
      portIdleMs: opts.portIdleMs ?? 15 * 60_000,
      sourceIdleMs: opts.sourceIdleMs ?? 5 * 60_000,
      maxSources: opts.maxSources ?? 300_000,
      maxPortRows: opts.maxPortRows ?? 300_000,
      now: opts.now ?? Date.now,
    };
    this.epoch = this.opts.now();
  }

  private tickNow(): number {
    return Math.floor((this.opts.now() - this.epoch) / 1000);
  }

  /** Counts one batch (not yet committed). @throws SW_BATCH_INVALID when an event is out of range. */
  add(batch: BusBatch): void {
    const events = batch.events;
    let minTs = Number.MAX_SAFE_INTEGER;
    let maxTs = 0;
    for (const e of events) {
      if (!PROTO_INDEX.has(e.proto) || !isPort(e.port) || !Number.isSafeInteger(e.ts) || e.ts < 0) {
        throw makeError('SW_BATCH_INVALID', `batch ${batch.batch_id}: event out of range`, {
          details: { proto: e.proto, port: e.port, ts: e.ts },
        });
      }
      if (e.ts < minTs) minTs = e.ts;
      if (e.ts > maxTs) maxTs = e.ts;
    }
    const tick = this.tickNow();
    const batchNo = ++this.batchNo;
    const hasher = this.ctx.hasher;
    const sensorHash = hasher.hash(batch.sensor_id);
    const opHash = this.operatorHash(batch.sensor_id);
    const created = this.sensorCreatedAt(batch.sensor_id);
    const probationMs = this.ctx.probationMs ?? SENSOR_PROBATION_MS;
    const sources = this.opts.sources;
    let dayNo = -1;
    let dayMap: Map<string, SourceDayState> | undefined;
    let sensorRow: SensorBucketState | undefined;
    let firstRow: SensorBucketState | undefined;

    for (const e of events) {
      const keyId = (PROTO_INDEX.get(e.proto) as number) * 65536 + e.port;
      const slot = Math.floor(e.ts / S5);
      const gid = slot * KEYS + keyId;
      let group = this.groups.get(gid);
      if (group === undefined) {
        group = this.newGroup(e.proto, e.port, keyId, slot * S5);
        this.groups.set(gid, group);
      }
      const srcHash = hasher.hash(e.src);
      if (group.batch !== batchNo) {
        group.batch = batchNo;
        this.touchRow(group.r5, sensorHash, opHash, tick);
        this.touchRow(group.r1h, sensorHash, opHash, tick);
        this.touchRow(group.r1d, sensorHash, opHash, tick);
        group.s5 = shareOf(group.r5, opHash, sensorHash, created, probationMs);
        group.s1h = shareOf(group.r1h, opHash, sensorHash, created, probationMs);
        group.s1d = shareOf(group.r1d, opHash, sensorHash, created, probationMs);
      }
      (group.s5 as Share).addSource(srcHash);
      (group.s1h as Share).addSource(srcHash);
      (group.s1d as Share).addSource(srcHash);
      const dstHash = e.dst === undefined ? -1 : hasher.hash(e.dst);
      const hs = e.handshake === true ? 1 : e.handshake === false ? 0 : -1;
      countInto(group.r5, srcHash, dstHash, hs, batchNo);
      countInto(group.r1h, srcHash, dstHash, hs, batchNo);
      countInto(group.r1d, srcHash, dstHash, hs, batchNo);
      if (sources) {
        const d = Math.floor(e.ts / S1D);
        if (d !== dayNo) {
          dayNo = d;
          dayMap = this.sourceDays.get(d);
          if (dayMap === undefined) {
            dayMap = new Map();
            this.sourceDays.set(d, dayMap);
          }
        }
        let st = (dayMap as Map<string, SourceDayState>).get(e.src);
        if (st === undefined) {
          st = this.newSourceDay(d, e.src, srcHash);
          (dayMap as Map<string, SourceDayState>).set(st.src, st);
        }
        st.events++;
        st.seen(e.ts);
        const geo = st.geo;
        offerSample(group, srcHash, e.src, () => geo.country);
        st.addPort(keyId);
        if (st.batch !== batchNo) {
          st.batch = batchNo;
          st.addSensor(sensorHash & 0x3fffffff, opHash & 0x3fffffff);
          st.tick = tick;
          if (!st.dirty) {
            st.dirty = true;
            this.dirtySources.push(st);
          }
        }
      } else {
        offerSample(group, srcHash, e.src, () => this.ctx.geo?.(e.src).country ?? null);
      }

      const hour = Math.floor(e.ts / S1H) * S1H;
      if (sensorRow === undefined || sensorRow.bucket !== hour) {
        sensorRow = this.sensorRow(batch.sensor_id, hour, tick);
        firstRow ??= sensorRow;
      }
      sensorRow.events++;
      const lag = batch.received_at - e.ts;
      if (lag > 0) {
        sensorRow.lagSum += lag;
        if (lag > sensorRow.lagMax) sensorRow.lagMax = lag;
      }
    }

    (firstRow ?? this.sensorRow(batch.sensor_id, Math.floor(batch.received_at / S1H) * S1H, tick)).addStats(
      batch.stats,
    );
    const touch = this.sensorTouches.get(batch.sensor_id);
    if (touch) {
      touch.last_seen = Math.max(touch.last_seen, batch.received_at);
      touch.events += events.length;
      if (batch.watched_addresses !== undefined) touch.watched_addresses = batch.watched_addresses;
    } else {
      this.sensorTouches.set(batch.sensor_id, {
        id: batch.sensor_id,
        last_seen: batch.received_at,
        events: events.length,
        ...(batch.watched_addresses !== undefined ? { watched_addresses: batch.watched_addresses } : {}),
      });
    }
    this.batches.push({
      batch_id: batch.batch_id,
      sensor_id: batch.sensor_id,
      received_at: batch.received_at,
      events: events.length,
      min_ts: events.length > 0 ? minTs : batch.received_at,
      max_ts: events.length > 0 ? maxTs : batch.received_at,
      raw: this.opts.archiveRaw ? (batch.raw ?? null) : null,
    });
    this.pendingEvents += events.length;
  }

  /** Everything added since the last commit, as whole rows. Call committed() once the store has it. */
  takeCommit(): RollupCommit {
    return {
      batches: this.batches,
      ports: this.dirtyPorts.map((r) => r.toRow()),
      sources: this.dirtySources.map((s) => s.toRow()),
      sensorBuckets: this.dirtySensors.map((s) => s.toRow()),
      sensors: [...this.sensorTouches.values()],
    };
  }

  /** The store wrote the last takeCommit(): mark clean and evict idle rows. */
  committed(): void {
    for (const r of this.dirtyPorts) {
      r.dirty = false;
      r.clearCap();
    }
    for (const s of this.dirtySources) s.dirty = false;
    for (const s of this.dirtySensors) s.dirty = false;
    this.dirtyPorts = [];
    this.dirtySources = [];
    this.dirtySensors = [];
    this.batches = [];
    this.sensorTouches = new Map();
    this.pendingEvents = 0;
    this.evict();
  }

  /** Drops all memory (after a failed commit): rows are reloaded from the store when touched again. */
  reset(): void {
    for (const f of Object.values(this.fresh)) f.clear();
    this.freshSources.clear();
    this.groups.clear();
    this.hours.clear();
    this.days.clear();
    this.sourceDays.clear();
    this.sensorRows.clear();
    this.dirtyPorts = [];
    this.dirtySources = [];
    this.dirtySensors = [];
    this.batches = [];
    this.sensorTouches = new Map();
    this.pendingEvents = 0;
  }

  /** Holds as many port rows or source days as a cap allows, or more: commit (which evicts) before adding more. */
  overCaps(): boolean {
    return this.portRowCount() >= this.opts.maxPortRows || this.sourceDayCount() >= this.opts.maxSources;
  }

  stats(): RollupEngineStats {
    return {
      port_rows: this.portRowCount(),
      source_states: this.sourceDayCount(),
      sensor_rows: this.sensorRows.size,
      pending_batches: this.batches.length,
      pending_events: this.pendingEvents,
    };
  }

  private portRowCount(): number {
    return this.groups.size + this.hours.size + this.days.size;
  }

  private sourceDayCount(): number {
    let n = 0;
    for (const m of this.sourceDays.values()) n += m.size;
    return n;
  }

  private touchRow(r: PortRow, sensorHash: number, opHash: number, tick: number): void {
    r.sensors.addHash(sensorHash);
    r.operators.addHash(opHash);
    r.tick = tick;
    if (!r.dirty) {
      r.dirty = true;
      this.dirtyPorts.push(r);
    }
  }

  private sensorCreatedAt(sensorId: string): number | undefined {
    let t = this.createdAt.get(sensorId);
    if (t === undefined) {
      t = this.loader.sensorCreatedAt(sensorId) ?? null;
      this.createdAt.set(sensorId, t);
    }
    return t ?? undefined;
  }

  private operatorHash(sensorId: string): number {
    const op = this.ctx.operatorOf(sensorId);
    let h = this.operatorHashes.get(op);
    if (h === undefined) {
      h = this.ctx.hasher.hash(`operator:${op}`);
      this.operatorHashes.set(op, h);
    }
    return h;
  }

  private newGroup(proto: Protocol, port: number, keyId: number, bucket5m: number): Group {
    const hour = Math.floor(bucket5m / S1H) * S1H;
    const day = Math.floor(bucket5m / S1D) * S1D;
    const hid = (hour / S1H) * KEYS + keyId;
    const did = (day / S1D) * KEYS + keyId;
    let r1h = this.hours.get(hid);
    if (r1h === undefined) {
      r1h = this.loadRow(proto, port, keyId, '1h', hour);
      this.hours.set(hid, r1h);
    }
    let r1d = this.days.get(did);
    if (r1d === undefined) {
      r1d = this.loadRow(proto, port, keyId, '1d', day);
      this.days.set(did, r1d);
    }
    const r5 = this.loadRow(proto, port, keyId, '5m', bucket5m);
    return { r5, r1h, r1d, s5: null, s1h: null, s1d: null, batch: 0 };
  }

  private loadRow(proto: Protocol, port: number, keyId: number, g: Granularity, bucket: number): PortRow {
    const load = this.fresh[g].needsLoad(bucket / GRANULARITIES[g], keyId, () =>
      this.loader.hasPortRows(g, bucket),
    );
    const stored = load ? this.loader.loadPortRow(proto, port, g, bucket) : undefined;
    return stored ? PortRow.fromStored(proto, port, g, bucket, stored) : new PortRow(proto, port, g, bucket);
  }

  private newSourceDay(dayNo: number, src: string, srcHash: number): SourceDayState {
    const day = dayNo * S1D;
    const load = this.freshSources.needsLoad(dayNo, srcHash, () => this.loader.hasSourceDays(day));
    const stored = load ? this.loader.loadSourceDay(day, src) : undefined;
    if (stored) return SourceDayState.fromRow(stored, this.internGeo(stored));
    // Copy the address: a string sliced from a large JSON text would keep the whole text alive.
    const own = (' ' + src).slice(1);
    return new SourceDayState(dayNo, own, this.internGeo(this.ctx.geo?.(own) ?? NO_GEO));
  }

  /** One shared object per distinct (country, AS): a million sources share a few thousand. */
  private internGeo(g: GeoInfo): GeoInfo {
    if (g.country === null && g.asn === null && g.as_name === null) return NO_GEO;
    const key = `${g.country ?? ''}|${g.asn ?? ''}|${g.as_name ?? ''}`;
    let shared = this.geoObjects.get(key);
    if (shared === undefined) {
      shared = Object.freeze({ country: g.country, asn: g.asn, as_name: g.as_name });
      if (this.geoObjects.size < 200_000) this.geoObjects.set(key, shared);
    }
    return shared;
  }

  private sensorRow(sensorId: string, bucket: number, tick: number): SensorBucketState {
    const key = `${sensorId}\u0000${bucket}`;
    let row = this.sensorRows.get(key);
    if (row === undefined) {
      const stored = this.loader.loadSensorBucket(sensorId, bucket);
      row = stored ? SensorBucketState.fromRow(stored) : new SensorBucketState(sensorId, bucket);
      this.sensorRows.set(key, row);
    }
    row.tick = tick;
    if (!row.dirty) {
      row.dirty = true;
      this.dirtySensors.push(row);
    }
    return row;
  }

  private evict(): void {
    const now = this.tickNow();
    const portRows = this.portRowCount();
    // Over a cap (e.g. an import of months of history, where nothing is idle by the wall clock): evict the least
    // recently touched rows down to KEEP_AFTER_CAP of the cap; they are in the store and come back when touched.
    let portCut = now - this.opts.portIdleMs / 1000;
    if (portRows > this.opts.maxPortRows) {
      const ticks = function* (e: RollupEngine): Iterable<number> {
        for (const g of e.groups.values()) yield g.r5.tick;
        for (const r of e.hours.values()) yield r.tick;
        for (const r of e.days.values()) yield r.tick;
      };
      portCut = Math.max(portCut, cutToKeep(ticks(this), this.opts.maxPortRows * KEEP_AFTER_CAP));
    }
    const gone = (r: PortRow): void => this.fresh[r.g].evicted(r.bucket / GRANULARITIES[r.g], keyOf(r));
    for (const [id, g] of this.groups) {
      if (g.r5.tick >= portCut) continue;
      gone(g.r5);
      this.groups.delete(id);
    }
    for (const [id, r] of this.hours) {
      if (r.tick >= portCut) continue;
      gone(r);
      this.hours.delete(id);
    }
    for (const [id, r] of this.days) {
      if (r.tick >= portCut) continue;
      gone(r);
      this.days.delete(id);
    }
    for (const [id, r] of this.sensorRows) if (r.tick < portCut) this.sensorRows.delete(id);
    const total = this.sourceDayCount();
    let sourceCut = now - this.opts.sourceIdleMs / 1000;
    if (total > this.opts.maxSources) {
      const ticks = function* (e: RollupEngine): Iterable<number> {
        for (const m of e.sourceDays.values()) for (const st of m.values()) yield st.tick;
      };
      sourceCut = Math.max(sourceCut, cutToKeep(ticks(this), this.opts.maxSources * KEEP_AFTER_CAP));
    }
    for (const [d, m] of this.sourceDays) {
      for (const [src, s] of m) {
        if (s.tick >= sourceCut) continue;
        this.freshSources.evicted(d, this.ctx.hasher.hash(src));
        m.delete(src);
      }
      if (m.size === 0) this.sourceDays.delete(d);
    }
  }
}

/**
 * The tick below which rows go so that at most about `keep` of them stay, the most recently touched (whole ticks:
 * when the newest tick alone holds more than `keep`, everything goes).
 */
export function cutToKeep(ticks: Iterable<number>, keep: number): number {
  const perTick = new Map<number, number>();
  for (const t of ticks) perTick.set(t, (perTick.get(t) ?? 0) + 1);
  let kept = 0;
  for (const t of [...perTick.keys()].sort((a, b) => b - a)) {
    kept += perTick.get(t) ?? 0;
    if (kept > keep) return t + 1;
  }
  return -Infinity;
}

/** The row's share of the operator of keyed hash `opHash`, with the batch's sensor added to it. */
function shareOf(
  r: PortRow,
  opHash: number,
  sensorHash: number,
  created: number | undefined,
  probationMs: number,
): Share {
  const s = r.shares.shareOf(opHash);
  s.addSensor(sensorHash, onProbation(created, r.bucket, probationMs));
  return s;
}

/** hs: 1 handshake completed, 0 not, -1 unknown; dstHash -1 when the event has no target. */
function countInto(r: PortRow, srcHash: number, dstHash: number, hs: number, batch: number): void {
  r.events++;
  r.countCapped(srcHash, batch);
  r.src.addHash(srcHash);
  if (dstHash >= 0) r.addTarget(dstHash);
  if (hs >= 0) r.addHandshake(srcHash, hs === 1);
}

/** Offers a source to the samples of its three rows; its country is looked up only if one of them takes it. */
function offerSample(
  group: { r5: PortRow; r1h: PortRow; r1d: PortRow },
  srcHash: number,
  src: string,
  country: () => string | null,
): void {
  if (
    !group.r5.sample.wants(srcHash) &&
    !group.r1h.sample.wants(srcHash) &&
    !group.r1d.sample.wants(srcHash)
  ) {
    return;
  }
  const c = country();
  group.r5.sample.offer(srcHash, src, c);
  group.r1h.sample.offer(srcHash, src, c);
  group.r1d.sample.offer(srcHash, src, c);
}

function keyOf(r: PortRow): number {
  return (PROTO_INDEX.get(r.proto) ?? 0) * 65536 + r.port;
}

function isPort(p: number): boolean {
  return Number.isInteger(p) && p >= 0 && p <= 65535;
}
