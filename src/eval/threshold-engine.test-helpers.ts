/**
 * A test double of the detection engine for the harness's own tests: on 1h buckets it fires when a key has at
 * least `min_sources` sources; with at least `min_operators` operators the firing opens (or updates) a medium
 * incident on the key, else it is a local anomaly. An incident resolves after a quiet hour. Not a detector: it
 * exists so that scoring and replay can be tested against known firings.
 */
import type { BucketInput } from '../core/observation.js';
import type {
  BucketResult,
  DetectionEngine,
  FiringEvidence,
  Incident,
  LocalAnomaly,
  Notification,
} from '../pipeline/detect/model/types.js';

export interface ThresholdConfig {
  min_sources: number;
  min_operators: number;
}

function evidence(input: BucketInput, i: number): FiringEvidence {
  const k = input.keys[i];
  if (k === undefined) throw new RangeError('no such key');
  return {
    granularity: input.granularity,
    bucket: input.bucket,
    test: 'spike',
    window: 1,
    metric: 'sources',
    observed: k.sources,
    expected: 1,
    interval: [0, 3],
    p_value: 0,
    alpha: 0.01,
    fold: k.sources,
    sources: k.sources,
    sensors: k.sensors,
    expected_sensors: 1,
    operators: k.operators,
    effective_operators: k.operators,
    max_operator_share: (k.by_operator[0]?.sources ?? 0) / Math.max(1, k.sources),
    events: { observed: k.events_capped, expected: 1 },
    handshake_share: null,
    growth: null,
    novelty: false,
    gates: [],
    top_countries: [],
    top_networks: k.top_networks ?? [],
  };
}

export function thresholdEngine(cfg: ThresholdConfig): DetectionEngine & { closed: BucketInput[] } {
  const incidents = new Map<string, Incident>();
  const closed: BucketInput[] = [];
  let seq = 0;
  return {
    closed,
    closeBucket(input: BucketInput): BucketResult {
      closed.push(input);
      const changed: Incident[] = [];
      const notifications: Notification[] = [];
      const anomalies: LocalAnomaly[] = [];
      const end = input.bucket + 3_600_000;
      if (input.granularity === '1h') {
        const fired = new Set<string>();
        input.keys.forEach((k, i) => {
          if (k.sources < cfg.min_sources) return;
          const id = `${k.proto}/${k.port}`;
          if (k.operators < cfg.min_operators) {
            anomalies.push({
              proto: k.proto,
              port: k.port,
              granularity: '1h',
              bucket: input.bucket,
              evidence: evidence(input, i),
              operators: k.by_operator.map((o) => o.operator),
            });
            return;
          }
          fired.add(id);
          let inc = incidents.get(id);
          if (inc === undefined || inc.status === 'resolved') {
            inc = {
              id: `i${++seq}`,
              proto: k.proto,
              port: k.port,
              status: 'open',
              severity: 50,
              level: 'medium',
              confidence: { operators: k.operators, handshake_share: null, label: 'medium' },
              first_seen: input.bucket,
              opened_at: end,
              updated_at: end,
              resolved_at: null,
              reopened: 0,
              backfilled: false,
              campaign: null,
              evidence: evidence(input, i),
              history: [],
            };
            incidents.set(id, inc);
            notifications.push({ kind: 'opened', incident: inc });
          }
          inc.updated_at = end;
          changed.push({ ...inc });
        });
        for (const [id, inc] of incidents) {
          if (!fired.has(id) && inc.status !== 'resolved') {
            inc.status = 'resolved';
            inc.resolved_at = end;
            changed.push({ ...inc });
          }
        }
      }
      return {
        granularity: input.granularity,
        bucket: input.bucket,
        keys_evaluated: input.keys.length,
        changed,
        notifications,
        anomalies,
      };
    },
    activeIncidents: () => [...incidents.values()].filter((i) => i.status !== 'resolved'),
    flaggedOperators: () => [],
    flaggedSensors: () => [],
    threatLevel: () => ({ level: 'normal', reason: 'test double', incidents: [] }),
    saveState: () => new Uint8Array(0),
    saveStateParts: () => [new Uint8Array(0)],
  };
}
