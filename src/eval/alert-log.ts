/**
 * Collects what the engine answered during a replay, per incident: when it first appeared (any level), when it
 * first became medium-or-higher and not a candidate (an alert, with the fold then), its strongest level and its
 * re-opens; and every local anomaly. Scoring reads only this log.
 *
 * Invariants: times are bucket ends in ms (when the answer was known); an incident's `first_alert` never moves
 * once set; the log keeps one record per incident id.
 */
import { GRANULARITIES } from '../core/buckets.js';
import type { BucketInput } from '../core/observation.js';
import type { AlertLevel, BucketResult, Incident, LocalAnomaly } from '../pipeline/detect/model/types.js';
import { DEFAULT_ENGINE_CONFIG } from '../pipeline/detect/model/config.js';
import { evalKey } from './keys.js';
import type { EvalProto } from './csv-events.js';

export interface IncidentRecord {
  id: string;
  key: number;
  first_any: number;
  first_alert: number | null;
  alert_fold: number | null;
  alert_granularity: string | null;
  max_level: AlertLevel;
  /** Ever open, escalated, cooling or accepted (left candidate as a real incident). */
  ever_open: boolean;
  reopened: number;
  last: Incident;
}

export interface AnomalyRecord {
  key: number;
  t: number;
  anomaly: LocalAnomaly;
}

/** The engine's flag rule (model/config.ts), replayed on the log. */
const FLAG_AFTER = DEFAULT_ENGINE_CONFIG.flag_after_anomalies;
const FLAG_WINDOW_MS = DEFAULT_ENGINE_CONFIG.flag_window_ms;

const RANK: Record<AlertLevel, number> = { info: 0, low: 1, medium: 2, high: 3 };
export const isAlert = (inc: Incident): boolean => RANK[inc.level] >= 2 && inc.status !== 'candidate';

export class AlertLog {
  readonly incidents = new Map<string, IncidentRecord>();
  readonly anomalies: AnomalyRecord[] = [];
  buckets = 0;
  keyObservations = 0;

  /**
   * Sensors the engine's rule would have flagged at some point (the culprit of at least `after` local anomalies
   * within `windowMs`), and when first.
   */
  flaggedSensors(after = FLAG_AFTER, windowMs = FLAG_WINDOW_MS): Map<string, number> {
    return this.flagged((a) => a.culprit?.sensors ?? [], after, windowMs);
  }

  /** The same for operators (the culprit operator of each anomaly). */
  flaggedOperators(after = FLAG_AFTER, windowMs = FLAG_WINDOW_MS): Map<string, number> {
    return this.flagged((a) => (a.culprit ? [a.culprit.operator] : []), after, windowMs);
  }

  private flagged(ids: (a: LocalAnomaly) => string[], after: number, windowMs: number): Map<string, number> {
    const times = new Map<string, number[]>();
    const flagged = new Map<string, number>();
    for (const r of this.anomalies) {
      for (const s of ids(r.anomaly)) {
        const ts = (times.get(s) ?? []).filter((x) => x > r.t - windowMs);
        ts.push(r.t);
        times.set(s, ts);
        if (ts.length >= after && !flagged.has(s)) flagged.set(s, r.t);
      }
    }
    return flagged;
  }

  onBucket = (input: BucketInput, result: BucketResult): void => {
    this.buckets++;
    this.keyObservations += input.keys.length;
    const end = result.bucket + GRANULARITIES[result.granularity];
    for (const inc of result.changed) {
      const key = evalKey(inc.proto as EvalProto, inc.port);
      let r = this.incidents.get(inc.id);
      if (r === undefined) {
        r = {
          id: inc.id,
          key,
          first_any: end,
          first_alert: null,
          alert_fold: null,
          alert_granularity: null,
          max_level: inc.level,
          ever_open: false,
          reopened: 0,
          last: inc,
        };
        this.incidents.set(inc.id, r);
      }
      if (r.first_alert === null && isAlert(inc)) {
        r.first_alert = end;
        r.alert_fold = inc.evidence.fold;
        r.alert_granularity = result.granularity;
      }
      if (inc.status !== 'candidate' && inc.status !== 'resolved') r.ever_open = true;
      if (RANK[inc.level] > RANK[r.max_level]) r.max_level = inc.level;
      r.reopened = Math.max(r.reopened, inc.reopened);
      r.last = inc;
    }
    for (const a of result.anomalies) {
      this.anomalies.push({ key: evalKey(a.proto as EvalProto, a.port), t: end, anomaly: a });
    }
  };

  /** Incidents that became alerts with their first alert in [from, to] (ms). */
  alertsBetween(from: number, to: number): IncidentRecord[] {
    return [...this.incidents.values()].filter(
      (r) => r.first_alert !== null && r.first_alert >= from && r.first_alert <= to,
    );
  }
}
