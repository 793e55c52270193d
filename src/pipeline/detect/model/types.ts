/**
 * The detection engine's contract: what one closed bucket looks like to the detector, and what it answers.
 *
 * The same engine runs in the server (observations built from the store's rollups) and in `stormwatch eval`
 * (observations built exactly from an events file on a virtual clock), so the evaluation measures the code
 * that runs in production.
 *
 * Rules:
 * - Buckets of one granularity are given in time order, each once (`closeBucket`); granularities interleave
 *   in order of their end time (a 5m bucket before the 1h bucket that ends at the same instant).
 * - The input (BucketInput and its parts) is defined in src/core/observation.ts.
 */

export type {
  BucketInput,
  DetectGranularity,
  KeyObservation,
  OperatorShare,
} from '../../../core/observation.js';
import type { BucketInput, DetectGranularity } from '../../../core/observation.js';

export type {
  AlertLevel,
  FiringEvidence,
  GateResult,
  Incident,
  IncidentStatus,
  LocalAnomaly,
  ThreatAssessment,
  ThreatLevel,
} from '../../../protocol/incident-types.js';
import type { Incident, LocalAnomaly, ThreatAssessment } from '../../../protocol/incident-types.js';

export interface Notification {
  kind: 'opened' | 'escalated' | 'reopened' | 'resolved';
  incident: Incident;
}

export interface BucketResult {
  granularity: DetectGranularity;
  bucket: number;
  keys_evaluated: number;
  /** Incidents created or changed by this bucket (as after the bucket). */
  changed: Incident[];
  notifications: Notification[];
  anomalies: LocalAnomaly[];
}

/** The engine: pure, in-memory, deterministic for the same inputs; state saved and restored as bytes. */
export interface DetectionEngine {
  closeBucket(input: BucketInput): BucketResult;
  /** Incidents not resolved (candidate, open, escalated, cooling). */
  activeIncidents(): Incident[];
  /** Operators whose sensors keep producing local anomalies (flagged for review), with counts. */
  flaggedOperators(): Array<{ operator: string; anomalies: number; since: number }>;
  /** Sensors (public ids) that local anomalies keep naming (flagged for review), with counts. */
  flaggedSensors(): Array<{ sensor: string; anomalies: number; since: number }>;
  threatLevel(): ThreatAssessment;
  /** State as bytes (baselines, windows, incidents, calibration), and back. */
  saveState(): Uint8Array;
  /**
   * The same state in parts of a bounded size, each made when it is read, in ONE reused buffer: a part is valid
   * only until the next is asked for (state-codec.ts encodeStateParts; the store writes each one at once).
   */
  saveStateParts(): Iterable<Uint8Array>;
}
