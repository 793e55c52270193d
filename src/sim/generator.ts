/**
 * Generates the events one simulated sensor sees in a virtual time interval, from port profiles.
 *
 * Invariants: deterministic for (seed, sensor index, interval); an interval split in two yields the same
 * distribution as the whole (each profile is a Poisson process per sensor), so live ticks and backfill chunks
 * agree; the outbreak profile only produces events at or after its start.
 */
import type { AttackEvent } from '../core/event.js';
import { seededRandom } from '../core/random.js';
import type { Random } from '../core/random.js';
import { addressPool, randomPublicV4 } from './addresses.js';
import type { PortProfile } from './profiles.js';

const DAY_MS = 86_400_000;

export interface ScheduledProfile extends PortProfile {
  /** Active from this virtual time on (ms); always active when absent. */
  from?: number;
}

export interface Fleet {
  sensors: number;
  profiles: ScheduledProfile[];
  /** Per profile: the source pool, and which sensors it reaches. */
  pools: string[][];
  reached: boolean[][];
  reachedCount: number[];
  /** Per sensor: the /24 networks it watches (network addresses). */
  targets: string[][];
}

export function buildFleet(seed: number, sensors: number, profiles: ScheduledProfile[]): Fleet {
  const r = seededRandom(seed);
  const pools = profiles.map((p) => addressPool(r, p.pool));
  const reached = profiles.map((p) => Array.from({ length: sensors }, () => r.next() < p.reach));
  const reachedCount = reached.map((row) => Math.max(1, row.filter(Boolean).length));
  const targets = Array.from({ length: sensors }, () =>
    Array.from({ length: 1 + r.int(3) }, () => randomPublicV4(r).replace(/\.\d+$/, '.0')),
  );
  return { sensors, profiles, pools, reached, reachedCount, targets };
}

function mix(a: number, b: number, c: number): number {
  let h =
    Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x632be5ab, 0xc2b2ae35) ^ Math.imul(c, 0x27d4eb2f);
  h ^= h >>> 15;
  return h >>> 0;
}

/** Events sensor `sensor` sees in [from, to) (virtual ms), sorted by time. */
export function generateEvents(
  fleet: Fleet,
  seed: number,
  sensor: number,
  from: number,
  to: number,
): AttackEvent[] {
  const r: Random = seededRandom(mix(seed, sensor, Math.floor(from / 1000)));
  const out: AttackEvent[] = [];
  const myTargets = fleet.targets[sensor] ?? ['192.0.2.0'];
  fleet.profiles.forEach((p, i) => {
    if (!fleet.reached[i]?.[sensor]) return;
    const start = Math.max(from, p.from ?? from);
    if (start >= to) return;
    const perSensorPerMs = p.events_per_day / (fleet.reachedCount[i] ?? 1) / DAY_MS;
    const n = r.poisson(perSensorPerMs * (to - start));
    const pool = fleet.pools[i] ?? [];
    for (let k = 0; k < n; k++) {
      const src = pool[r.int(pool.length)] ?? '203.0.113.1';
      const ev: AttackEvent = {
        ts: start + Math.floor(r.next() * (to - start)),
        proto: p.proto,
        port: p.port,
        src,
      };
      // The simulated sensors watch IPv4 networks; IPv6 sources reach their (unmasked-away) v6 side.
      if (!src.includes(':')) ev.dst = myTargets[r.int(myTargets.length)] ?? '192.0.2.0';
      if (p.proto === 'tcp' || p.proto === 'udp') ev.sport = 1024 + r.int(64_511);
      if (p.proto === 'tcp') ev.flags = 'S';
      out.push(ev);
    }
  });
  return out.sort((a, b) => a.ts - b.ts);
}
