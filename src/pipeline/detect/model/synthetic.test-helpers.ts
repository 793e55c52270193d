/**
 * Synthetic buckets for the engine's tests: a fleet of operators with one sensor each (`<operator>-s1`), keys with a steady
 * Poisson rate of sources per sensor, and extra sources added to chosen operators (outbreaks, poisoning).
 */
import { GRANULARITIES } from '../../../core/buckets.js';
import type { Protocol } from '../../../core/event.js';
import type { BucketInput, DetectGranularity, KeyObservation } from '../../../core/observation.js';
import { seededRandom } from '../../../core/random.js';
import type { Random } from '../../../core/random.js';

export interface SynthKey {
  proto: Protocol;
  port: number;
  /** Expected sources per operator per bucket. */
  rate: number;
}

export interface Extra {
  proto: Protocol;
  port: number;
  /** Extra sources per chosen operator in this bucket. */
  perOperator: number;
  operators: string[];
  probation?: boolean;
}

export class SyntheticFleet {
  readonly rnd: Random;
  operators: string[];
  private serial = 0;

  constructor(
    operators: number,
    readonly keys: SynthKey[],
    seed = 7,
  ) {
    this.rnd = seededRandom(seed);
    this.operators = Array.from({ length: operators }, (_, i) => `op${i}`);
  }

  bucket(g: DetectGranularity, bucket: number, extras: Extra[] = [], exposure?: number): BucketInput {
    const scale = GRANULARITIES[g] / GRANULARITIES['5m'];
    const out: KeyObservation[] = [];
    const keys = new Map<string, { k: SynthKey; shares: Map<string, { n: number; probation: boolean }> }>();
    for (const k of this.keys) {
      const shares = new Map<string, { n: number; probation: boolean }>();
      for (const op of this.operators) {
        const n = this.rnd.poisson(k.rate * scale);
        if (n > 0) shares.set(op, { n, probation: false });
      }
      keys.set(`${k.proto}/${k.port}`, { k, shares });
    }
    for (const e of extras) {
      const id = `${e.proto}/${e.port}`;
      let entry = keys.get(id);
      if (!entry) {
        entry = { k: { proto: e.proto, port: e.port, rate: 0 }, shares: new Map() };
        keys.set(id, entry);
      }
      for (const op of e.operators) {
        const cur = entry.shares.get(op) ?? { n: 0, probation: e.probation === true };
        cur.n += Math.round(e.perOperator * scale);
        entry.shares.set(op, cur);
      }
    }
    for (const { k, shares } of keys.values()) {
      const by = [...shares].map(([operator, s]) => ({
        operator,
        sources: s.n,
        sensors: 1,
        ...(s.probation ? { probation: true } : {}),
        sensor_ids: [`${operator}-s1`],
      }));
      by.sort((a, b) => b.sources - a.sources);
      const sources = by.reduce((a, b) => a + b.sources, 0);
      if (sources === 0) continue;
      const sample = Array.from({ length: Math.min(sources, 8) }, () => `198.51.100.${this.serial++ % 250}`);
      out.push({
        proto: k.proto,
        port: k.port,
        sources,
        sensors: by.length,
        operators: by.length,
        events: sources * 3,
        events_capped: sources * 3,
        by_operator: by,
        sample_sources: sample,
      });
    }
    return {
      granularity: g,
      bucket,
      exposure: exposure ?? this.operators.length,
      fleet_sensors: this.operators.length,
      fleet_operators: this.operators.length,
      keys: out,
    };
  }
}

/** Runs `days` of hourly buckets from `start`, calling `extras(hourIndex)` for the added sources. */
export function hours(start: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => start + i * GRANULARITIES['1h']);
}

/** One key's observation from (operator, sources, probation?) shares, sorted as the contract says. */
export function observationOf(shares: Array<[string, number, boolean?]>, port = 1025): KeyObservation {
  const by = shares
    .map(([operator, sources, probation]) => ({
      operator,
      sources,
      sensors: 1,
      ...(probation ? { probation } : {}),
    }))
    .sort((a, b) => b.sources - a.sources);
  const sources = by.reduce((a, b) => a + b.sources, 0);
  return {
    proto: 'tcp',
    port,
    sources,
    sensors: by.length,
    operators: by.length,
    events: sources,
    events_capped: sources,
    by_operator: by,
  };
}
