/**
 * The store seam: domain methods over the aggregated data, not an ORM.
 *
 * Rules every implementation keeps:
 * - `commitRollups` writes the rows a RollupEngine (src/store/rollups) hands it and records the applied batch
 *   ids in ONE transaction, so a crash between commit and bus ack never doubles (the ids are skipped on
 *   redelivery) and a crash before the commit loses nothing (the bus still holds the batches).
 * - `applyBatches` is the same for callers without a long-lived engine: a fresh engine per call, loads and
 *   commit in one transaction; a batch id already applied is skipped (counted nowhere).
 * - The store's rollups have ONE writer at a time (the server's aggregator), because a live engine holds whole
 *   rows in memory.
 * - Distinct counts merge by union (exact sets that turn into keyed HyperLogLog past a threshold).
 * - Reads never see a half-applied batch.
 * - Times are ms since epoch; bucket starts are aligned (src/core/buckets.ts).
 * - Detector output (`saveDetectorState` with its incidents and anomalies) is ONE transaction: the state, the
 *   detector's position and what it found in that bucket are recorded together or not at all, so a crash never
 *   records a bucket twice (the detector resumes from the saved position).
 */
import type { AdvisoryStore } from './advisory-store.js';
import type { BlocklistStore } from './blocklist-store.js';
import type { DeliveryStore } from './delivery-store.js';
import type { IntelStore } from './intel-store.js';
import type { Granularity } from '../core/buckets.js';
import type { Protocol } from '../core/event.js';
import type { BucketInput, DetectGranularity } from '../core/observation.js';
import type { BusBatch } from '../bus/bus.js';
import type { KeyedHasher } from '../core/distinct/index.js';
import type { RollupCommit, RollupLoader, SourceDayOut } from './rollups/index.js';

export interface SensorRecord {
  /** Internal id: what the sensor signs with (x-sw-sensor) and what rollups key on. Admin-only. */
  id: string;
  /** Pseudonymous public id (`ps_` + 16 hex, random, stored): the only sensor id the public API shows. */
  public_id: string;
  name: string;
  /** The operator's stable INTERNAL id (OperatorRecord.id), never its display name. */
  operator: string;
  /** The current key. */
  public_key_pem: string;
  /** A key registered by rotation and not yet used; it becomes current with the first request it signs. */
  pending_public_key_pem: string | null;
  /** The key replaced by the last rotation, still accepted until `previous_key_valid_until` (real time). */
  previous_public_key_pem: string | null;
  previous_key_valid_until: number | null;
  created_at: number;
  last_seen: number | null;
  events_total: number;
  revoked: boolean;
  /** Addresses the sensor last declared it watches (its weight in the detector's exposure; 1 until it says). */
  watched_addresses: number;
}

/** What addSensor takes: the store assigns the public id unless given, and no rotation state. */
export type NewSensorRecord = Pick<
  SensorRecord,
  'id' | 'name' | 'operator' | 'public_key_pem' | 'created_at'
> & {
  public_id?: string;
};

/** An organisation or person running sensors. */
export interface OperatorRecord {
  /** Stable internal id (`o_` + 16 hex, random): what SensorRecord.operator and tokens hold. Admin-only. */
  id: string;
  /** Display name, unique; admin-only. */
  name: string;
  /** Pseudonymous public id (`po_` + 16 hex, random, stored): reveals neither the name nor the internal id. */
  public_id: string;
  created_at: number;
}

export interface PortBucketRow {
  proto: Protocol;
  port: number;
  granularity: Granularity;
  bucket: number;
  events: number;
  sources: number;
  sensors: number;
  /** Distinct operators of the sensors that saw the key. */
  operators: number;
  targets: number;
  /** Distinct sources that completed a handshake / that did not, where the input tells (0 when none does). */
  sources_handshake: number;
  sources_no_handshake: number;
}

export interface AlertRecord {
  id: string;
  proto: Protocol;
  port: number;
  severity: number;
  level: 'info' | 'low' | 'medium' | 'high';
  status: 'open' | 'resolved';
  opened_at: number;
  updated_at: number;
  /** JSON-serialisable evidence (shape: AlertEvidence in src/protocol/api-types.ts). */
  evidence: unknown;
}

export interface PortTotals {
  proto: Protocol;
  port: number;
  events: number;
  sources: number;
  sensors: number;
  operators: number;
  targets: number;
  sources_handshake: number;
  sources_no_handshake: number;
}

/**
 * One source on one UTC day (the per-source rollup), as reads give it: the stored row (SourceDayOut, fields
 * documented there) without the engine's merge state, and with the top ports decoded.
 */
export interface SourceDayRow extends Omit<SourceDayOut, 'top_ports' | 'state'> {
  /** Most-hit keys first, as `["tcp/1025", events]` (a space-saving summary, see src/store/rollups/source-day.ts). */
  top_ports: Array<[string, number]>;
}

/**
 * One source over several days: events summed, first/last seen min/max, top ports merged by count. `ports` is
 * the larger of the busiest day's count and the keys listed across the days (exact while every day listed all
 * its keys); `sensors` and `operators` are the largest day's counts (lower bounds over several days).
 * Country and AS are the latest day's that has them.
 */
export interface SourceTotals extends Omit<SourceDayRow, 'day'> {
  /** Days with a row in the window. */
  days: number;
}

/** One sensor in one hourly bucket (event time). */
export interface SensorBucketRow {
  sensor_id: string;
  bucket: number;
  events: number;
  batches: number;
  /** Sum and maximum of (arrival - event time) over the bucket's events, ms. */
  lag_ms_sum: number;
  lag_ms_max: number;
  /** Counters the sensor reported with its batches (e.g. drops), summed. */
  stats: Record<string, number>;
}

/** Incident status, as the detection engine names it (src/pipeline/detect/model/types.ts IncidentStatus). */
export type StoredIncidentStatus = 'candidate' | 'open' | 'escalated' | 'cooling' | 'resolved' | 'accepted';

/**
 * An incident as the store keeps it: the indexed columns, and the engine's whole Incident as `body` (JSON).
 * `active` lists statuses other than resolved and accepted (the ones that ended).
 */
export interface StoredIncident {
  id: string;
  proto: Protocol;
  port: number;
  status: StoredIncidentStatus;
  level: 'info' | 'low' | 'medium' | 'high';
  severity: number;
  opened_at: number;
  updated_at: number;
  campaign: string | null;
  backfilled: boolean;
  /** JSON-serialisable (the engine's Incident). */
  body: unknown;
}

/** A local anomaly (a firing that failed a gate): its key and bucket, and the engine's LocalAnomaly as `body`. */
export interface StoredAnomaly {
  proto: Protocol;
  port: number;
  granularity: DetectGranularity;
  bucket: number;
  /** JSON-serialisable (the engine's LocalAnomaly). */
  body: unknown;
}

/** A stored anomaly as read back: with its id (ascending in insertion order) and when it was stored. */
export interface AnomalyRecord extends StoredAnomaly {
  id: number;
  created_at: number;
}

export interface IncidentQuery {
  /** Default 'all'. */
  status?: 'active' | 'resolved' | 'all';
  limit: number;
  proto?: Protocol;
  port?: number;
}

export interface AnomalyQuery {
  limit: number;
  proto?: Protocol;
  port?: number;
}

/** The detector's saved state and its position (e.g. the last bucket it closed), saved together. */
export interface DetectorStateRecord {
  /** The state, or its first part when it was saved in parts. */
  data: Buffer;
  /** The later parts, in order (none for a state saved whole). */
  parts: Buffer[];
  position: string;
  updated_at: number;
}

/** How long each kind of data is kept (days) and the size cap; null = forever / no cap. See docs/CONFIG.md. */
export interface RetentionPolicy {
  five_minute_days: number;
  hourly_days: number;
  daily_days: number | null;
  source_days: number;
  sensor_days: number;
  raw_batch_days: number;
  applied_batch_days: number;
  max_db_bytes: number | null;
}

/** What prune deletes, by table (port rows by granularity). */
export type PrunedTable =
  | 'port_buckets_5m'
  | 'port_buckets_1h'
  | 'port_buckets_1d'
  | 'source_days'
  | 'sensor_buckets'
  | 'raw_batches'
  | 'applied_batches';

/** Data deleted before its time to keep the database within max_db_bytes: never silent. */
export interface ForcedDeletion {
  table: 'raw_batches' | 'source_days' | 'port_buckets_5m';
  rows: number;
  /** Time range of what was deleted (received_at, day or bucket start), inclusive. */
  oldest: number;
  newest: number;
}

export interface PruneResult {
  /** Rows deleted by age. */
  deleted: Record<PrunedTable, number>;
  forced: ForcedDeletion[];
  /** The row budget ran out before everything due was deleted: call again. */
  more: boolean;
  /** Still above max_db_bytes with nothing left that the cap may delete. */
  over_cap: boolean;
  usage: StoreUsage;
}

export interface StoreUsage {
  /** Bytes in use: (page_count - freelist_count) * page_size. */
  used_bytes: number;
  /** Bytes of the database file (free pages included; freed pages are reused before the file grows). */
  file_bytes: number;
}

export interface Store extends RollupLoader {
  /** The keyed hash of this store's secret seed (src/store/seed.ts): rollups and detection hash with it. */
  readonly hasher: KeyedHasher;
  /** The analyst's side, each with its own rules (see each interface): knowledge, advisories/notes/threat-level
   * decisions, blocklist allowlist and delisting, the channel outbox. Same database, same durability. */
  readonly intel: IntelStore;
  readonly advisories: AdvisoryStore;
  readonly blocklists: BlocklistStore;
  readonly deliveries: DeliveryStore;

  // sensors and enrolment
  /** `operator` is the operator's internal id. */
  createEnrollmentToken(tokenHash: string, expiresAt: number, operator: string): void;
  /** Atomically marks the token used; returns its operator id, or null when unknown, used or expired. */
  consumeEnrollmentToken(tokenHash: string, now: number): string | null;
  /** Adds a sensor; an operator id without a record gets one (named after the id), so every sensor has one. */
  addSensor(sensor: NewSensorRecord): void;
  getSensor(id: string): SensorRecord | undefined;
  listSensors(): SensorRecord[];
  revokeSensor(id: string): boolean;
  /**
   * Registers `publicKeyPem` as the sensor's pending key (replacing any pending one); false when the sensor is
   * unknown or revoked. The current key stays valid until the pending one is first used (promoteSensorKey).
   */
  setPendingSensorKey(id: string, publicKeyPem: string): boolean;
  /**
   * Makes the pending key current if it still is `pendingPem` (one conditional update): the current key becomes
   * the previous one, valid until `previousValidUntil`; an older previous key is dropped. False when nothing
   * changed (no such pending key, unknown or revoked sensor).
   */
  promoteSensorKey(id: string, pendingPem: string, previousValidUntil: number): boolean;

  // operators
  /**
   * The operator named `name`, created (with fresh random ids) when there is none; atomic, so two concurrent
   * callers get the same operator. `created` tells whether this call made it.
   */
  ensureOperator(name: string, createdAt: number): { operator: OperatorRecord; created: boolean };
  getOperator(id: string): OperatorRecord | undefined;
  /** Ordered by creation time, then id. */
  listOperators(): OperatorRecord[];

  // aggregation (exactly once)
  /** Writes one engine commit in one transaction (see the rules above). */
  commitRollups(commit: RollupCommit): void;
  applyBatches(batches: BusBatch[]): { applied: number; skipped: number; events: number };
  isBatchApplied(batchId: string): boolean;

  // reads
  /** Rows of one key in [from, to) at a granularity, ascending by bucket. */
  portSeries(proto: Protocol, port: number, g: Granularity, from: number, to: number): PortBucketRow[];
  /** Per-key totals over [from, to) with distinct counts merged across the buckets, top `limit` by sources. */
  topPorts(g: Granularity, from: number, to: number, limit: number): PortTotals[];
  /** All rows of one bucket (every key), for detection. */
  bucketRows(g: Granularity, bucket: number): PortBucketRow[];
  /**
   * What the detector needs of one closed bucket (src/core/observation.ts): every key with a row in it, operator
   * shares under public operator ids (`po_...`), and the fleet active in the bucket. Active: the sensor sent a
   * batch (even empty) whose events fall in the hours overlapping the window of max(1 h, the granularity) that
   * ends at the bucket's end (sensor hours, so a 5m bucket looks at one or two hours); exposure counts the
   * active sensors not on probation (src/store/rollups/probation.ts), fleet_* count all active ones.
   */
  bucketObservation(g: DetectGranularity, bucket: number): Omit<BucketInput, 'backfill'>;
  /** Latest event-time bucket start seen at a granularity, or null. */
  latestBucket(g: Granularity): number | null;
  /** Earliest event-time bucket start seen at a granularity, or null (how much history detection has). */
  earliestBucket(g: Granularity): number | null;
  /** Sources with a row on a day in [fromDay, toDay), top `limit` by events summed over the days (SourceTotals). */
  topSources(fromDay: number, toDay: number, limit: number): SourceTotals[];
  /** The source's rows of the days in [fromDay, toDay), ascending by day. */
  sourceHistory(src: string, fromDay: number, toDay: number): SourceDayRow[];
  /** The sensor's hourly rows with bucket in [from, to), ascending. */
  sensorBuckets(sensorId: string, from: number, to: number): SensorBucketRow[];

  // upkeep (each call does bounded work in its own transactions, so ingest waits at most one step)
  /**
   * Deletes, oldest first, what `policy` says is expired at `now` (event time; applied batch ids go by the
   * store's own clock, which wrote them), at most `maxRows` rows per call, then, when the database uses more
   * than max_db_bytes, deletes the oldest raw batches, then the oldest source days, then the oldest 5m rows
   * until it is under the cap again. Every such forced deletion is logged as a warning and returned.
   */
  prune(policy: RetentionPolicy, now: number, maxRows?: number): PruneResult;
  /** Background work that keeps long-window reads fast (SQLite: day spans); `more` when work remains. */
  maintain(now: number, maxSteps?: number): { steps: number; more: boolean };
  usage(): StoreUsage;

  // detection state
  saveAlert(alert: AlertRecord): void;
  openAlertFor(proto: Protocol, port: number): AlertRecord | undefined;
  /** Newest first (by updated_at); only alerts of `status` when given. */
  listAlerts(limit: number, status?: AlertRecord['status']): AlertRecord[];
  /**
   * Saves the detector's state and position, and the incidents (upserted by id) and anomalies of the same
   * bucket when given, in ONE transaction.
   */
  saveDetectorState(
    name: string,
    /** One buffer, or parts (read one at a time, inside the transaction). */
    data: Uint8Array | Iterable<Uint8Array>,
    position: string,
    found?: { incidents?: StoredIncident[]; anomalies?: StoredAnomaly[] },
  ): void;
  loadDetectorState(name: string): DetectorStateRecord | undefined;
  /** Upserts by id, in one transaction. */
  saveIncidents(items: readonly StoredIncident[]): void;
  /** Newest updated first (then id). */
  listIncidents(q: IncidentQuery): StoredIncident[];
  getIncident(id: string): StoredIncident | undefined;
  /** Appends, in one transaction. Pruned with the 5m rows (by bucket). */
  saveAnomalies(items: readonly StoredAnomaly[]): void;
  /** Newest first (by id). */
  listAnomalies(q: AnomalyQuery): AnomalyRecord[];
  getMeta(key: string): string | undefined;
  setMeta(key: string, value: string): void;

  close(): void;
}
