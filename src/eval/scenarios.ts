/**
 * The injected scenarios of the evaluation (DETECTION.md "How to evaluate"), each planned as one replay of the
 * scored half: its tries sit on distinct keys (so they may overlap in time), cycling through the volume tiers,
 * at random start times, with fresh sources.
 *
 * Invariants:
 * - Rates are expected NEW sources per 5-minute bucket; a key's baseline b is its mean daily distinct sources
 *   on the calibration half, floored at 2 a day, so "×10" adds 9·b/288 new sources per bucket (about ×10 on the
 *   daily distinct count).
 * - Every try ends before the scored range ends; a plan is deterministic for (seed, scenario name).
 * - Poisoning adds one operator of fake sensors, enrolled past probation (active over the whole range), which
 *   report nothing but the attack; withholding silences 10% of the fleet for one day per try.
 */
import { seededRandom } from '../core/random.js';
import type { Random } from '../core/random.js';
import type { EventTable, Fleet } from './fleet.js';
import { activeSensors, freshSource, injectRate } from './inject.js';
import type { HitSpec, SourcePool } from './inject.js';
import type { KeyVolume, Tier } from './keystats.js';
import { TIERS } from './keystats.js';
import { evalKey } from './keys.js';
import { oracleDelay } from './oracle.js';
import { addInjected, PER_DAY, PER_HOUR } from './replay.js';
import type { Injection } from './replay.js';

export type ScenarioKind = 'detect' | 'local' | 'poison' | 'withhold';

export interface TryPlan {
  key: number;
  tier: Tier | 'new' | 'none';
  /** 5m bucket indices: [start, end). */
  start: number;
  end: number;
  baseline_per_day: number;
  sources: number;
  events: number;
  /** Detection must come by this bucket end (index, exclusive) to meet the scenario's target. */
  deadline?: number;
  /** Buckets from the start to the first alert of an ideal detector at the oracle's α (oracle.ts); null: never
   * within the injection. Set for rate scenarios with a deadline. */
  oracle_delay?: number | null;
}

export interface ScenarioPlan {
  name: string;
  kind: ScenarioKind;
  description: string;
  tries: TryPlan[];
  injected: Injection;
  fleet: Fleet;
  silent?: Uint8Array;
  target?: string;
}

export interface ScenarioContext {
  fleet: Fleet;
  table: EventTable;
  volumes: Map<number, KeyVolume>;
  present: Set<number>;
  pool: SourcePool;
  /** Scored range, 5m bucket indices (whole days). */
  from: number;
  to: number;
  seed: number;
  tries: number;
}

const H = PER_HOUR;
const D = PER_DAY;
const hash = (s: string): number =>
  [...s].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0, 2166136261);

interface Picked {
  key: number;
  tier: Tier | 'new' | 'none';
  b: number;
}

function pickKeys(ctx: ScenarioContext, rnd: Random, n: number, near?: number): Picked[] {
  const all = [...ctx.volumes.values()].sort((a, b) => a.key - b.key);
  if (near !== undefined) {
    return all
      .sort(
        (a, b) => Math.abs(Math.log(a.sources_per_day / near)) - Math.abs(Math.log(b.sources_per_day / near)),
      )
      .slice(0, n)
      .map((v) => ({ key: v.key, tier: v.tier, b: v.sources_per_day }));
  }
  const byTier = TIERS.map((t) => all.filter((v) => v.tier === t && v.sources_per_day >= 0.2));
  for (const list of byTier) {
    for (let i = list.length - 1; i > 0; i--) {
      const j = rnd.int(i + 1);
      [list[i], list[j]] = [list[j] as KeyVolume, list[i] as KeyVolume];
    }
  }
  const out: Picked[] = [];
  for (let i = 0; out.length < n && i < 10 * n; i++) {
    const v = byTier[i % 3]?.[Math.floor(i / 3)];
    if (v !== undefined) out.push({ key: v.key, tier: v.tier, b: v.sources_per_day });
  }
  return out;
}

function startIn(ctx: ScenarioContext, rnd: Random, len: number): number {
  return ctx.from + rnd.int(Math.max(1, ctx.to - ctx.from - len - D));
}

type RateFn = (i: number, b5: number) => number;

interface RateScenario {
  name: string;
  description: string;
  len: number;
  rate: RateFn;
  hit?: Partial<HitSpec>;
  near?: number;
  target?: string;
  deadline?: (start: number) => number;
}

const expRamp =
  (doublingBuckets: number, cap: number): RateFn =>
  (i, b5) =>
    b5 * Math.min(cap, 2 ** (i / doublingBuckets) - 1);
const toFold =
  (fold: number, len: number): RateFn =>
  (i, b5) =>
    b5 * (fold ** (i / len) - 1);

export const RATE_SCENARIOS: readonly RateScenario[] = [
  { name: 'step-x10', description: 'step to ×10 of the baseline for 24 h', len: D, rate: (_i, b5) => 9 * b5 },
  {
    name: 'step-x50',
    description: 'step to ×50 of the baseline for 24 h',
    len: D,
    rate: (_i, b5) => 49 * b5,
  },
  {
    name: 'ramp-d30m',
    description: 'exponential, doubling 30 min, 6 h (capped ×100)',
    len: 6 * H,
    rate: expRamp(6, 99),
  },
  {
    name: 'ramp-d6h',
    description: 'exponential, doubling 6 h, 3 days (capped ×100)',
    len: 3 * D,
    rate: expRamp(6 * H, 99),
  },
  {
    name: 'ramp-d1d',
    description: 'exponential, doubling 1 day, 7 days (capped ×100)',
    len: 7 * D,
    rate: expRamp(D, 99),
  },
  {
    name: 'ramp-d3d',
    description: 'exponential, doubling 3 days, 14 days',
    len: 14 * D,
    rate: expRamp(3 * D, 99),
  },
  {
    name: 'ramp-24h',
    description: '24-hour ramp: exponential from ×1 to ×30 over 24 h',
    len: D,
    rate: toFold(30, D),
    target: 'medium+ within 14 h',
    deadline: (s) => s + 14 * H,
  },
  {
    name: 'ramp-7d',
    description: '7-day ramp: exponential from ×1 to ×30 over 7 days',
    len: 7 * D,
    rate: toFold(30, 7 * D),
    target: 'medium+ within 3 days',
    deadline: (s) => s + 3 * D,
  },
  {
    name: 'tcp1025-2007',
    description:
      '2007 TCP/1025 template: keys near 30 sources/day get +1,470 sources and ~8,000 events a day, 2-6 sensors per source, 24 h',
    len: D,
    rate: () => 1470 / D,
    hit: { sensors_min: 2, sensors_max: 6, events_mean: 1.33 },
    near: 30,
    target: 'medium+ by the end of the first whole hourly bucket',
    deadline: (s) => Math.ceil(s / H) * H + H,
  },
];

function planRate(ctx: ScenarioContext, sc: RateScenario): ScenarioPlan {
  const rnd = seededRandom(ctx.seed ^ hash(sc.name));
  const injected: Injection = new Map();
  const tries: TryPlan[] = [];
  for (const p of pickKeys(ctx, rnd, ctx.tries, sc.near)) {
    const start = startIn(ctx, rnd, sc.len);
    const b5 = Math.max(2, p.b) / D;
    const spec: HitSpec = { key: p.key, sensors_min: 1, sensors_max: 4, events_mean: 2, ...sc.hit };
    const got = injectRate(injected, ctx.fleet, rnd, ctx.pool, start, sc.len, (i) => sc.rate(i, b5), spec);
    const t: TryPlan = {
      key: p.key,
      tier: p.tier,
      start,
      end: start + sc.len,
      baseline_per_day: p.b,
      ...got,
    };
    if (sc.deadline) {
      t.deadline = sc.deadline(start);
      t.oracle_delay = oracleDelay((i) => sc.rate(i, b5), sc.len, p.b);
    }
    tries.push(t);
  }
  const plan: ScenarioPlan = {
    name: sc.name,
    kind: 'detect',
    description: sc.description,
    tries,
    injected,
    fleet: ctx.fleet,
  };
  if (sc.target !== undefined) plan.target = sc.target;
  return plan;
}

function planWorm(ctx: ScenarioContext): ScenarioPlan {
  const rnd = seededRandom(ctx.seed ^ hash('worm'));
  const injected: Injection = new Map();
  const tries: TryPlan[] = [];
  const K = 2000;
  const r = Math.LN2 / H;
  const p = 0.02;
  const len = 36 * H;
  for (const pk of pickKeys(ctx, rnd, ctx.tries)) {
    const start = startIn(ctx, rnd, len);
    const hosts: number[] = [];
    const seen = new Set<number>();
    let events = 0;
    for (let i = 0; i < len; i++) {
      const I = K / (1 + (K - 1) * Math.exp(-r * i));
      while (hosts.length < Math.floor(I)) hosts.push(freshSource(rnd, ctx.pool));
      const n = rnd.poisson(p * I);
      const cands = activeSensors(ctx.fleet, Math.floor((start + i) / D));
      for (let j = 0; j < n && hosts.length > 0 && cands.length > 0; j++) {
        const src = hosts[rnd.int(hosts.length)] ?? 0;
        seen.add(src);
        const sensor = cands[rnd.int(cands.length)] ?? 0;
        addInjected(injected, start + i, { key: pk.key, src, sensor, events: 1 });
        events++;
      }
    }
    tries.push({
      key: pk.key,
      tier: pk.tier,
      start,
      end: start + len,
      baseline_per_day: pk.b,
      sources: seen.size,
      events,
    });
  }
  const description =
    'logistic worm: 2,000 hosts, doubling 1 h early, each seen with p = 0.02 a bucket, 36 h';
  return { name: 'worm-logistic', kind: 'detect', description, tries, injected, fleet: ctx.fleet };
}

function planNewPort(ctx: ScenarioContext): ScenarioPlan {
  const rnd = seededRandom(ctx.seed ^ hash('new-port'));
  const injected: Injection = new Map();
  const tries: TryPlan[] = [];
  const len = 12 * H;
  while (tries.length < ctx.tries) {
    const key = evalKey('tcp', 1024 + rnd.int(64000));
    if (ctx.present.has(key) || tries.some((t) => t.key === key)) continue;
    const start = startIn(ctx, rnd, len);
    const spec: HitSpec = { key, sensors_min: 1, sensors_max: 4, events_mean: 2 };
    const got = injectRate(injected, ctx.fleet, rnd, ctx.pool, start, len, () => 1, spec);
    tries.push({ key, tier: 'new', start, end: start + len, baseline_per_day: 0, ...got });
  }
  const description = 'never-seen TCP port: 12 new sources an hour for 12 h, 1-4 sensors each';
  return { name: 'new-port', kind: 'detect', description, tries, injected, fleet: ctx.fleet };
}

function planLocal(ctx: ScenarioContext): ScenarioPlan {
  const rnd = seededRandom(ctx.seed ^ hash('local-scan'));
  const injected: Injection = new Map();
  const tries: TryPlan[] = [];
  const len = 2 * H;
  for (const pk of pickKeys(ctx, rnd, ctx.tries)) {
    const start = startIn(ctx, rnd, len);
    const op = rnd.int(ctx.fleet.operators.length);
    const day = Math.floor(start / D);
    const only = activeSensors(ctx.fleet, day).filter((s) => ctx.fleet.operatorOf[s] === op);
    const spec: HitSpec = { key: pk.key, sensors_min: 1, sensors_max: 3, events_mean: 3, only };
    const got = injectRate(injected, ctx.fleet, rnd, ctx.pool, start, len, () => 300 / len, spec);
    tries.push({ key: pk.key, tier: pk.tier, start, end: start + len, baseline_per_day: pk.b, ...got });
  }
  const description = 'scan seen by one operator only: 300 sources in 2 h on its sensors (must not alert)';
  return {
    name: 'local-scan',
    kind: 'local',
    description,
    tries,
    injected,
    fleet: ctx.fleet,
    target: 'no medium+ alert',
  };
}

/** The fleet plus one operator of `n` fake sensors, active over the whole range. */
export function withFakeSensors(fleet: Fleet, n: number): { fleet: Fleet; fake: number[] } {
  const S = fleet.sensors.length;
  const active = new Uint8Array((S + n) * fleet.days);
  active.set(fleet.active);
  active.fill(1, S * fleet.days);
  const operatorOf = new Int32Array(S + n);
  operatorOf.set(fleet.operatorOf);
  operatorOf.fill(fleet.operators.length, S);
  const fake = Array.from({ length: n }, (_, i) => S + i);
  return {
    fleet: {
      ...fleet,
      sensors: [...fleet.sensors, ...fake.map((i) => `fake-${i - S}`)],
      operators: [...fleet.operators, 'attacker'],
      operatorOf,
      active,
    },
    fake,
  };
}

const POISON_STYLES = {
  burst: { len: H, rate: () => 500 / H, per: 4, about: '500 fabricated sources in 1 h' },
  slow: {
    len: 2 * D,
    rate: (i: number) => 0.1 * 200 ** (i / (2 * D)),
    per: 4,
    about: 'fabricated sources growing ×200 over 2 days',
  },
  net: {
    len: 6 * H,
    rate: () => 10,
    per: 1,
    about: 'sensors in one /24, each its own fabricated sources, 120/h for 6 h',
  },
} as const;

function planPoison(ctx: ScenarioContext, pct: number, style: keyof typeof POISON_STYLES): ScenarioPlan {
  const name = `poison-${pct}pct-${style}`;
  const rnd = seededRandom(ctx.seed ^ hash(name));
  const n = Math.max(1, Math.round((pct / 100) * ctx.fleet.sensors.length));
  const { fleet, fake } = withFakeSensors(ctx.fleet, n);
  const st = POISON_STYLES[style];
  const injected: Injection = new Map();
  const tries: TryPlan[] = [];
  for (const pk of pickKeys(ctx, rnd, ctx.tries)) {
    const start = startIn(ctx, rnd, st.len);
    const spec: HitSpec = { key: pk.key, sensors_min: 1, sensors_max: st.per, events_mean: 3, only: fake };
    const got = injectRate(injected, fleet, rnd, ctx.pool, start, st.len, st.rate, spec);
    tries.push({ key: pk.key, tier: pk.tier, start, end: start + st.len, baseline_per_day: pk.b, ...got });
  }
  const description = `${n} fake sensors (${pct}% of the fleet) of one operator: ${st.about}`;
  return { name, kind: 'poison', description, tries, injected, fleet, target: 'success <= 1% of tries' };
}

function planWithhold(ctx: ScenarioContext): ScenarioPlan {
  const rnd = seededRandom(ctx.seed ^ hash('withhold'));
  const S = ctx.fleet.sensors.length;
  const silent = new Uint8Array(S * ctx.fleet.days);
  const days = new Set<number>();
  const first = ctx.from / D;
  const span = (ctx.to - ctx.from) / D;
  while (days.size < Math.min(ctx.tries, span)) days.add(first + rnd.int(span));
  const tries: TryPlan[] = [];
  for (const d of [...days].sort((a, b) => a - b)) {
    const chosen = new Set<number>();
    while (chosen.size < Math.round(S / 10)) chosen.add(rnd.int(S));
    for (const s of chosen) silent[s * ctx.fleet.days + d] = 1;
    tries.push({
      key: -1,
      tier: 'none',
      start: d * D,
      end: (d + 1) * D,
      baseline_per_day: 0,
      sources: 0,
      events: 0,
    });
  }
  const description = '10% of the sensors withhold their data for one day (per try)';
  return {
    name: 'withhold',
    kind: 'withhold',
    description,
    tries,
    injected: new Map(),
    fleet: ctx.fleet,
    silent,
    target: 'false alerts do not rise',
  };
}

export const SCENARIO_NAMES: readonly string[] = [
  ...RATE_SCENARIOS.map((s) => s.name),
  'worm-logistic',
  'new-port',
  'local-scan',
  ...[1, 2, 10].flatMap((p) => ['burst', 'slow', 'net'].map((s) => `poison-${p}pct-${s}`)),
  'withhold',
];

export function planScenario(ctx: ScenarioContext, name: string): ScenarioPlan {
  const rate = RATE_SCENARIOS.find((s) => s.name === name);
  if (rate) return planRate(ctx, rate);
  if (name === 'worm-logistic') return planWorm(ctx);
  if (name === 'new-port') return planNewPort(ctx);
  if (name === 'local-scan') return planLocal(ctx);
  if (name === 'withhold') return planWithhold(ctx);
  const m = /^poison-(\d+)pct-(burst|slow|net)$/.exec(name);
  if (m) return planPoison(ctx, Number(m[1]), m[2] as keyof typeof POISON_STYLES);
  throw new RangeError(`unknown scenario ${name}`);
}
