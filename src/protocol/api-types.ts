/**
 * Response shapes of the public JSON API (docs/openapi.yaml documents the same). The dashboard and the
 * typed client import these; the server's routes return them. Times are ISO 8601 strings (UTC).
 */
import type { Protocol } from '../core/event.js';
import type { Granularity } from '../core/buckets.js';

export interface ErrorBody {
  code: string;
  message: string;
  /** For a refused batch: the first problems, each with the event index, field and reason. */
  details?: unknown;
}

export interface HealthResponse {
  status: 'ok';
  version: string;
  /** The server's clock (virtual in the demo). */
  now: string;
}

export interface TopPort {
  proto: Protocol;
  port: number;
  /** Totals over the window. */
  events: number;
  sources: number;
  sensors: number;
  targets: number;
  /** Distinct sources in the same-length window before, scaled; null when there is no history. */
  baseline_sources: number | null;
  /** sources / baseline_sources (null without baseline). */
  change: number | null;
  /** Services commonly found on this port (short names), when known. */
  services: string[];
}

export interface TopPortsResponse {
  window: '1h' | '24h';
  from: string;
  to: string;
  items: TopPort[];
}

export interface SeriesPoint {
  /** Bucket start. */
  t: string;
  events: number;
  sources: number;
  sensors: number;
  targets: number;
}

export interface SeriesResponse {
  proto: Protocol;
  port: number;
  bucket: Granularity;
  from: string;
  to: string;
  items: SeriesPoint[];
}

export interface AlertEvidence {
  /** The bucket that fired (start) and its granularity. */
  bucket: string;
  granularity: Granularity;
  /** The test that fired and over how many buckets of its granularity (1 = the bucket alone). */
  test: 'spike' | 'cusum' | 'new_port';
  window: number;
  /** Distinct sources over the window, and the baseline's expectation of them. */
  sources: { observed: number; expected: number };
  /** Capped events and sensors of the bucket, against their baselines. */
  events: { observed: number; expected: number };
  sensors: { observed: number; expected: number };
  operators: number;
  p_value: number;
  /** observed / expected sources. */
  fold: number;
  reason: string;
}

/** An alert: an incident of the detector (src/protocol/incident-types.ts) past its candidate stage, in the
 * dashboard's short form; `GET /api/v1/incidents/{id}` has the whole of it. */
export interface Alert {
  id: string;
  proto: Protocol;
  port: number;
  /** 0-100. */
  severity: number;
  level: 'info' | 'low' | 'medium' | 'high';
  /** open: the incident is open, escalated or cooling; resolved: resolved or accepted as the new normal. */
  status: 'open' | 'resolved';
  incident_status: 'open' | 'escalated' | 'cooling' | 'resolved' | 'accepted';
  opened_at: string;
  updated_at: string;
  evidence: AlertEvidence;
}

export interface AlertsResponse {
  items: Alert[];
}

export interface SensorInfo {
  id: string;
  name: string;
  operator: string;
  created_at: string;
  last_seen: string | null;
  events_total: number;
  revoked: boolean;
}

export interface SensorsResponse {
  items: SensorInfo[];
}

export interface EnrollRequest {
  token: string;
  public_key: string;
  name?: string;
}

export interface EnrollResponse {
  sensor_id: string;
}

export interface SubmissionAck {
  batch_id: string;
  /** 'applied' the first time, 'duplicate' when the batch id was seen before (nothing counted again). */
  status: 'accepted' | 'duplicate';
  events: number;
}

/** A key a source hit, with its events (from the per-source daily top-ports summary). */
export interface SourcePort {
  proto: Protocol;
  port: number;
  events: number;
}

/** One source over a window of days (events summed; see docs/openapi.yaml SourceSummary for each count). */
export interface SourceSummary {
  ip: string;
  /** Days of the window with activity. */
  days: number;
  events: number;
  ports: number;
  sensors: number;
  operators: number;
  first_seen: string;
  last_seen: string;
  country: string | null;
  asn: number | null;
  as_name: string | null;
  top_ports: SourcePort[];
}

export interface TopSourcesResponse {
  /** The window: the last `days` UTC days, today included ([from, to)). */
  days: number;
  from: string;
  to: string;
  items: SourceSummary[];
  /** Credit the country and AS data requires wherever it is shown (docs/THIRD-PARTY.md). */
  attribution: string;
}

/** One source on one UTC day. */
export interface SourceDay {
  /** Start of the UTC day. */
  day: string;
  events: number;
  ports: number;
  sensors: number;
  operators: number;
  first_seen: string;
  last_seen: string;
  country: string | null;
  asn: number | null;
  as_name: string | null;
  top_ports: SourcePort[];
}

export interface SourceResponse {
  ip: string;
  days: number;
  from: string;
  to: string;
  /** The window's totals; null when the source was not seen in it. */
  summary: SourceSummary | null;
  /** Days with activity, oldest first. */
  items: SourceDay[];
  /** Credit the country and AS data requires wherever it is shown (docs/THIRD-PARTY.md). */
  attribution: string;
}

/** GET /api/v1/admin/sensors/{id}/hours: a sensor's activity per hour of event time. */
export interface SensorHoursResponse {
  sensor_id: string;
  from: string;
  to: string;
  items: Array<{
    hour: string;
    events: number;
    batches: number;
    /** Arrival minus event time, mean and worst over the hour's events, ms. */
    lag_ms_mean: number;
    lag_ms_max: number;
    /** Counters the sensor reported with its batches (drops by reason, malformed lines ...), summed. */
    reported: Record<string, number>;
  }>;
}
