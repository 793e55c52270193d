/**
 * Generates attack events: fresh source addresses (never in the background, never reused), each hitting a few
 * active sensors with a small geometric number of events, at a rate given per 5-minute bucket.
 *
 * Invariants: every address drawn is new (checked against the background and all earlier draws); a source hits
 * distinct sensors chosen among those active that day (or among the `sensors` given); the number of new sources
 * in a bucket is Poisson with the rate's mean; everything is deterministic for the seed of `rnd`.
 */
import type { Random } from '../core/random.js';
import type { Fleet } from './fleet.js';
import type { Injection } from './replay.js';
import { addInjected, PER_DAY } from './replay.js';

export interface SourcePool {
  used: Set<number>;
}

export function freshSource(rnd: Random, pool: SourcePool): number {
  for (;;) {
    const ip = Math.floor(rnd.next() * 0xdfffffff) + 0x01000000;
    if (!pool.used.has(ip)) {
      pool.used.add(ip);
      return ip;
    }
  }
}

/** Geometric count >= 1 with the given mean. */
export function geometric(rnd: Random, mean: number): number {
  if (mean <= 1) return 1;
  const p = 1 / mean;
  return 1 + Math.floor(Math.log(1 - rnd.next()) / Math.log(1 - p));
}

export function activeSensors(fleet: Fleet, day: number): number[] {
  const out: number[] = [];
  for (let s = 0; s < fleet.sensors.length; s++) if (fleet.active[s * fleet.days + day] === 1) out.push(s);
  return out;
}

export interface HitSpec {
  key: number;
  /** Sensors a source hits: uniform in [min, max], capped by the candidates. */
  sensors_min: number;
  sensors_max: number;
  events_mean: number;
  /** Restrict to these sensors (else the sensors active that day). */
  only?: number[];
}

/** Adds one source's events in bucket b; returns the number of events. */
export function hit(
  inj: Injection,
  fleet: Fleet,
  rnd: Random,
  b: number,
  src: number,
  spec: HitSpec,
): number {
  const cands = spec.only ?? activeSensors(fleet, Math.floor(b / PER_DAY));
  if (cands.length === 0) return 0;
  const want = Math.min(cands.length, spec.sensors_min + rnd.int(spec.sensors_max - spec.sensors_min + 1));
  const pick = new Set<number>();
  while (pick.size < want) pick.add(cands[rnd.int(cands.length)] ?? 0);
  let total = 0;
  for (const sensor of pick) {
    const events = geometric(rnd, spec.events_mean);
    total += events;
    addInjected(inj, b, { key: spec.key, src, sensor, events });
  }
  return total;
}

/** Injects fresh sources at `rate(i)` expected new sources in the i-th bucket from `start`, for `len` buckets. */
export function injectRate(
  inj: Injection,
  fleet: Fleet,
  rnd: Random,
  pool: SourcePool,
  start: number,
  len: number,
  rate: (i: number) => number,
  spec: HitSpec,
): { sources: number; events: number } {
  let sources = 0;
  let events = 0;
  for (let i = 0; i < len; i++) {
    const n = rnd.poisson(Math.max(0, rate(i)));
    for (let j = 0; j < n; j++) {
      events += hit(inj, fleet, rnd, start + i, freshSource(rnd, pool), spec);
      sources++;
    }
  }
  return { sources, events };
}
