/**
 * The store seam: domain methods over the aggregated data, not an ORM.
 *
 * Rules every implementation keeps:
 * - `applyBatches` merges rollups and records the applied batch ids in ONE transaction; a batch id already
 *   applied is skipped (counted nowhere), so redelivery or a crash between flush and bus ack never doubles.
 * - Distinct counts merge by union (exact sets that turn into keyed HyperLogLog past a threshold).
 * - Reads never see a half-applied batch.
 * - Times are ms since epoch; bucket starts are aligned (src/core/buckets.ts).
 */
import type { Granularity } from '../core/buckets.js';
import type { Protocol } from '../core/event.js';
import type { BusBatch } from '../bus/bus.js';

export interface SensorRecord {
  id: string;
  name: string;
  operator: string;
  public_key_pem: string;
  created_at: number;
  last_seen: number | null;
  events_total: number;
  revoked: boolean;
}

export interface PortBucketRow {
  proto: Protocol;
  port: number;
  granularity: Granularity;
  bucket: number;
  events: number;
  sources: number;
  sensors: number;
  targets: number;
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
  targets: number;
}

export interface Store {
  // sensors and enrolment
  createEnrollmentToken(tokenHash: string, expiresAt: number, operator: string): void;
  /** Atomically marks the token used; returns its operator, or null when unknown, used or expired. */
  consumeEnrollmentToken(tokenHash: string, now: number): string | null;
  addSensor(sensor: Omit<SensorRecord, 'last_seen' | 'events_total' | 'revoked'>): void;
  getSensor(id: string): SensorRecord | undefined;
  listSensors(): SensorRecord[];
  revokeSensor(id: string): boolean;

  // aggregation (exactly once)
  applyBatches(batches: BusBatch[]): { applied: number; skipped: number; events: number };
  isBatchApplied(batchId: string): boolean;

  // reads
  /** Rows of one key in [from, to) at a granularity, ascending by bucket. */
  portSeries(proto: Protocol, port: number, g: Granularity, from: number, to: number): PortBucketRow[];
  /** Per-key totals over [from, to) with distinct counts merged across the buckets, top `limit` by sources. */
  topPorts(g: Granularity, from: number, to: number, limit: number): PortTotals[];
  /** All rows of one bucket (every key), for detection. */
  bucketRows(g: Granularity, bucket: number): PortBucketRow[];
  /** Latest event-time bucket start seen at a granularity, or null. */
  latestBucket(g: Granularity): number | null;
  /** Earliest event-time bucket start seen at a granularity, or null (how much history detection has). */
  earliestBucket(g: Granularity): number | null;

  // detection state
  saveAlert(alert: AlertRecord): void;
  openAlertFor(proto: Protocol, port: number): AlertRecord | undefined;
  /** Newest first (by updated_at); only alerts of `status` when given. */
  listAlerts(limit: number, status?: AlertRecord['status']): AlertRecord[];
  getMeta(key: string): string | undefined;
  setMeta(key: string, value: string): void;

  close(): void;
}
