/**
 * Incidents and local anomalies as the detector records them and the API shows them (the detection engine,
 * src/pipeline/detect/model, makes them; the store keeps them as JSON; src/api converts the times to ISO text).
 * Times are ms since the epoch (UTC), on the bucket clock (the end of the bucket that changed the incident).
 */
import type { DetectGranularity } from '../core/observation.js';
import type { Protocol } from '../core/event.js';

export type IncidentStatus = 'candidate' | 'open' | 'escalated' | 'cooling' | 'resolved' | 'accepted';
export type AlertLevel = 'info' | 'low' | 'medium' | 'high';
export type ThreatLevel = 'normal' | 'elevated' | 'high' | 'severe';

export interface GateResult {
  name:
    | 'operator_quorum'
    | 'effective_operators'
    | 'max_share'
    | 'trimmed'
    | 'operator_caps'
    | 'new_port'
    | 'probation';
  passed: boolean;
  /** What was measured and what was required, in words (e.g. "4.2 effective operators, need 2.5"). */
  detail: string;
}

export interface FiringEvidence {
  granularity: DetectGranularity;
  bucket: number;
  /** The test that fired: spike over a window of `window` buckets, a CUSUM trend, or a new port. */
  test: 'spike' | 'cusum' | 'new_port';
  window: number;
  metric: 'sources';
  observed: number;
  expected: number;
  /** Central 99% predictive interval of the window's sum. */
  interval: [number, number];
  p_value: number;
  alpha: number;
  fold: number;
  sources: number;
  sensors: number;
  /** Expected sensors reporting the key in the bucket (its sensors baseline). */
  expected_sensors: number;
  operators: number;
  effective_operators: number;
  max_operator_share: number;
  events: { observed: number; expected: number };
  handshake_share: number | null;
  growth: { slope_per_hour: number; doubling_hours: number | null } | null;
  novelty: boolean;
  gates: GateResult[];
  top_countries: Array<{ country: string; sources: number }>;
  top_networks: Array<{ network: string; sources: number }>;
}

export interface Incident {
  id: string;
  proto: Protocol;
  port: number;
  status: IncidentStatus;
  severity: number;
  level: AlertLevel;
  /** Confidence apart from severity: operators seen and the handshake share. */
  confidence: { operators: number; handshake_share: number | null; label: 'low' | 'medium' | 'high' };
  /** Bucket start of the first firing, and the times of the lifecycle (bucket-clock, ms). */
  first_seen: number;
  opened_at: number;
  updated_at: number;
  resolved_at: number | null;
  reopened: number;
  backfilled: boolean;
  campaign: string | null;
  /** The strongest firing so far. */
  evidence: FiringEvidence;
  /** Lifecycle history: status changes and level changes. */
  history: Array<{ at: number; status: IncidentStatus; level: AlertLevel; note: string }>;
}

/** A firing that failed a gate: recorded and visible, never notified. */
export interface LocalAnomaly {
  proto: Protocol;
  port: number;
  granularity: DetectGranularity;
  bucket: number;
  evidence: FiringEvidence;
  /** Operators holding most of the sources, for the review of the sensors behind them. */
  operators: string[];
  /**
   * The operator this anomaly counts against (flagging): one holding more than `flag_min_share` of a window of
   * at least `flag_min_sources` sources, its share, and its sensors when its share of the bucket names them (at
   * most 4 sensors, known exactly; else empty). Absent when no single operator is to blame.
   */
  culprit?: { operator: string; share: number; sensors: string[] };
}

export interface ThreatAssessment {
  level: ThreatLevel;
  reason: string;
  incidents: string[];
}

/** An incident as the API answers it: the same, with times as ISO 8601 text. */
export type IncidentView = Omit<
  Incident,
  'first_seen' | 'opened_at' | 'updated_at' | 'resolved_at' | 'history' | 'evidence'
> & {
  first_seen: string;
  opened_at: string;
  updated_at: string;
  resolved_at: string | null;
  history: Array<Omit<Incident['history'][number], 'at'> & { at: string }>;
  evidence: Omit<FiringEvidence, 'bucket'> & { bucket: string };
};

export interface IncidentsResponse {
  items: IncidentView[];
}

export interface AnomalyView extends Omit<LocalAnomaly, 'bucket' | 'evidence'> {
  id: number;
  bucket: string;
  recorded_at: string;
  evidence: IncidentView['evidence'];
}

export interface AnomaliesResponse {
  items: AnomalyView[];
}

export interface ThreatLevelResponse extends ThreatAssessment {
  /** False when no detector runs in this process (the level then comes from the stored incidents). */
  live: boolean;
}

export interface FlaggedOperatorsResponse {
  items: Array<{ operator: string; anomalies: number; since: string }>;
}

export interface FlaggedSensorsResponse {
  items: Array<{ sensor: string; anomalies: number; since: string }>;
}
