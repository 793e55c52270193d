/**
 * A simulated year of rollups for the query bench, written with plain SQL into the store's tables (schema v3+),
 * with real serialized DistinctCounters.
 *
 * The model (per UTC day):
 * - Keys ranked by popularity over a universe of UNIVERSE (proto, port) keys: the top ALWAYS ranks every day, the
 *   tail ranks active with probability TAIL_P(r), about 2,500 active keys a day.
 * - Distinct sources of rank r: S1 × r^-1.3 × lognormal noise (400k for the top port, 160k for the second, past
 *   256, the sketch threshold, for the top ~290); 35 % of a key's sources recur every day (a fixed population per
 *   key), the rest are new each day, so unions over many days grow the way scanner populations do.
 * - Sensors (fleet of 150), operators (40), targets (up to 3,000 networks), handshake split for tcp.
 * - 1d rows for 365 days, 1h rows for 365 days (top 120 + 120 tail keys each hour), 5m rows for the last 14 days
 *   (top 60 + 60 tail keys each bucket).
 * Sketches past the threshold are HyperLogLog registers drawn from the exact distribution of the maximum rank of
 * a Poisson number of uniform hashes per register (the union of disjoint parts is the register maximum), which is
 * what adding that many hashes would give, a hundred times faster; they are serialized in the DistinctCounter wire
 * format and a sample is checked with DistinctCounter.deserialize.
 */
import Database from 'better-sqlite3';
import { DistinctCounter, DEFAULT_PRECISION, DEFAULT_THRESHOLD } from '../src/core/distinct/index.js';
import { crc32, packRegisters, writeVarint } from '../src/core/distinct/codec.js';
import type { Protocol } from '../src/core/event.js';

export const FILL_VERSION = 'query-year-v1';
const DAY = 86_400_000;
const HOUR = 3_600_000;
const MIN5 = 300_000;
const UNIVERSE = 20_000;
const ALWAYS = 200;
const S1 = 400_000;
const M = 1 << DEFAULT_PRECISION;
const MAX_RANK = 53 - DEFAULT_PRECISION + 1;

export interface FillOptions {
  path: string;
  /** Start of the last (current) UTC day; the year is the 365 days ending with it. */
  today: number;
  /** Event-time now (inside `today`): 5m and 1h rows stop at its bucket. */
  now: number;
  days?: number;
  log?: (line: string) => void;
}

export interface FillSize {
  rows: Record<string, number>;
}

/** xorshift32 in [0, 1). */
function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

function hash53(space: number, id: number): number {
  return (
    (mix32(Math.imul(space, 0x9e3779b1) ^ mix32(id)) >>> 11) * 4294967296 +
    mix32(id ^ Math.imul(space + 1, 0x27d4eb2d))
  );
}

const cdfCache = new Map<number, Float64Array>();

/** CDF of one register's value for n hashes over M registers (Poisson(n/M) hashes, geometric ranks). */
function registerCdf(n: number): Float64Array {
  const key = Math.round(Math.log(n) * 200);
  let cdf = cdfCache.get(key);
  if (cdf) return cdf;
  const lambda = Math.exp(key / 200) / M;
  cdf = new Float64Array(MAX_RANK + 1);
  for (let x = 0; x < MAX_RANK; x++) cdf[x] = Math.exp(-lambda * 2 ** -x);
  cdf[MAX_RANK] = 1;
  cdfCache.set(key, cdf);
  return cdf;
}

/** Registers as if `n` distinct uniform hashes had been added. */
function sampleRegisters(n: number, r: () => number): Uint8Array {
  const regs = new Uint8Array(M);
  const cdf = registerCdf(n);
  for (let j = 0; j < M; j++) {
    const u = r();
    let x = 0;
    while ((cdf[x] as number) < u) x++;
    regs[j] = x;
  }
  return regs;
}

function maxInto(target: Uint8Array, source: Uint8Array): Uint8Array {
  for (let j = 0; j < M; j++)
    if ((source[j] as number) > (target[j] as number)) target[j] = source[j] as number;
  return target;
}

/** DistinctCounter wire format, HLL kind (see src/core/distinct/distinct-counter.ts). */
function serializeHll(regs: Uint8Array): Buffer {
  const out = Buffer.alloc(4 + 8 + (M / 4) * 3 + 4);
  out[0] = 0x44;
  out[1] = 1;
  out[2] = 2;
  out[3] = DEFAULT_PRECISION;
  let pos = writeVarint(out, 4, DEFAULT_THRESHOLD);
  pos = packRegisters(regs, out, pos);
  out.writeUInt32BE(crc32(out, 0, pos), pos);
  return out.subarray(0, pos + 4);
}

interface Sketch {
  buf: Buffer;
  count: number;
}

function exactSketch(ids: Iterable<number>, space: number): Sketch {
  const c = DistinctCounter.create();
  for (const id of ids) c.addHash(hash53(space, id));
  return { buf: c.serialize(), count: c.estimate() };
}

/** Decoded once: the check that the hand-made bytes are a valid counter, and its estimate. */
function hllSketch(regs: Uint8Array): Sketch {
  const buf = serializeHll(regs);
  return { buf, count: DistinctCounter.deserialize(buf).estimate() };
}

interface KeyModel {
  proto: Protocol;
  port: number;
  rank: number;
  space: number;
  persistent: number;
  /** Registers of the persistent population (sampled once), when it is large. */
  persistentRegs: Uint8Array | null;
}

const COMMON: ReadonlyArray<[Protocol, number]> = [
  ['tcp', 23],
  ['tcp', 22],
  ['tcp', 445],
  ['tcp', 80],
  ['tcp', 3389],
  ['tcp', 1433],
  ['tcp', 8080],
  ['tcp', 443],
  ['udp', 5060],
  ['tcp', 25],
  ['tcp', 5900],
  ['tcp', 3306],
  ['udp', 53],
  ['tcp', 21],
  ['tcp', 1025],
  ['udp', 123],
];

function keyUniverse(r: () => number): KeyModel[] {
  const keys: KeyModel[] = [];
  const used = new Set<string>();
  for (let rank = 1; rank <= UNIVERSE; rank++) {
    let key = COMMON[rank - 1];
    while (key === undefined || used.has(`${key[0]}/${key[1]}`)) {
      key = [r() < 0.85 ? 'tcp' : 'udp', 1 + Math.floor(r() * 65535)];
    }
    used.add(`${key[0]}/${key[1]}`);
    const persistent = Math.round(0.35 * S1 * rank ** -1.3);
    keys.push({
      proto: key[0],
      port: key[1],
      rank,
      space: rank,
      persistent,
      persistentRegs: persistent > DEFAULT_THRESHOLD / 2 ? sampleRegisters(persistent, r) : null,
    });
  }
  return keys;
}

const tailP = (rank: number): number => Math.min(1, 6 * rank ** -0.45);

function lognormal(r: () => number, sigma: number): number {
  const u = Math.max(r(), 1e-12);
  const v = r();
  return Math.exp(sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
}

interface Row {
  proto: Protocol;
  port: number;
  granularity: string;
  bucket: number;
  events: number;
  sources: number;
  sensors: number;
  operators: number;
  targets: number;
  sources_handshake: number;
  sources_no_handshake: number;
  src_sketch: Buffer;
  sensor_sketch: Buffer;
  operator_sketch: Buffer | null;
  target_sketch: Buffer;
  hs_sketch: Buffer | null;
  nohs_sketch: Buffer | null;
}

const pools = new Map<string, Sketch[]>();
const POOL_VARIANTS = 4;

/**
 * A counter of about `n` distinct values from a pool (a few variants per size class of ~5 %): for the sketches
 * whose overlap across rows the queries do not depend on (all of 1h and 5m rows, the small ones of 1d rows).
 */
function pooled(kind: number, n: number, r: () => number): Sketch {
  const cls = Math.round(Math.log(Math.max(1, n)) * 20);
  const id = `${kind}:${cls}`;
  let list = pools.get(id);
  if (list === undefined) {
    list = [];
    pools.set(id, list);
  }
  const v = Math.floor(r() * POOL_VARIANTS);
  let sk = list[v];
  if (sk === undefined) {
    const size = Math.max(1, Math.round(Math.exp(cls / 20)));
    sk =
      size <= DEFAULT_THRESHOLD
        ? exactSketch(
            Array.from({ length: size }, () => Math.floor(r() * 2 ** 31)),
            kind,
          )
        : hllSketch(sampleRegisters(size, r));
    list[v] = sk;
  }
  return sk;
}

/**
 * One rollup row of about `sources` distinct sources. With `recurring` (1d rows) the sources are the key's own:
 * 35 % from its recurring population, the rest new (`salt` makes them unique); otherwise from the pool.
 */
function makeRow(
  k: KeyModel,
  g: string,
  bucket: number,
  sources: number,
  recurring: boolean,
  r: () => number,
  salt: number,
): Row {
  let src: Sketch;
  if (!recurring) {
    src = pooled(1, sources, r);
  } else {
    const persistent = Math.min(k.persistent, Math.round(sources * 0.35));
    const fresh = Math.max(0, sources - persistent);
    if (sources <= DEFAULT_THRESHOLD) {
      const ids: number[] = [];
      for (let i = 0; i < persistent; i++) ids.push(Math.floor(r() * Math.max(1, k.persistent)));
      for (let i = 0; i < fresh; i++) ids.push(1e9 + salt * 4096 + i);
      src = exactSketch(ids, k.space);
    } else {
      const regs = sampleRegisters(Math.max(1, fresh), r);
      if (persistent > 0 && k.persistentRegs) maxInto(regs, k.persistentRegs);
      src = hllSketch(regs);
    }
  }
  const sensors = Math.min(150, 1 + Math.ceil(Math.sqrt(sources) / 2));
  const sensor = pooled(2, sensors, r);
  const operator = pooled(3, Math.min(40, Math.ceil(sensors / 3)), r);
  const target = pooled(4, Math.max(1, Math.min(sources, Math.ceil(3000 * k.rank ** -0.5))), r);
  const hsN = k.proto === 'tcp' ? Math.round(sources * 0.08) : 0;
  const nohsN = k.proto === 'tcp' ? Math.round(sources * 0.3) : 0;
  const hs = hsN === 0 ? null : pooled(5, hsN, r);
  const nohs = nohsN === 0 ? null : pooled(6, nohsN, r);
  return {
    proto: k.proto,
    port: k.port,
    granularity: g,
    bucket,
    events: Math.round(sources * (1.5 + 3 * r())),
    sources: src.count,
    sensors: sensor.count,
    operators: operator.count,
    targets: target.count,
    sources_handshake: hs?.count ?? 0,
    sources_no_handshake: nohs?.count ?? 0,
    src_sketch: src.buf,
    sensor_sketch: sensor.buf,
    operator_sketch: operator.buf,
    target_sketch: target.buf,
    hs_sketch: hs?.buf ?? null,
    nohs_sketch: nohs?.buf ?? null,
  };
}

/**
 * Writes the year into the (migrated, empty) database at `path`; returns the rows written per granularity.
 * @example fillYear({ path, today: Date.UTC(2025, 5, 30), now: Date.UTC(2025, 5, 30, 12) })
 */
export function fillYear(opts: FillOptions): FillSize {
  const days = opts.days ?? 365;
  const log = opts.log ?? (() => undefined);
  const r = prng(20_250_630);
  const keys = keyUniverse(r);
  const db = new Database(opts.path);
  // A bulk load into a fresh file: no journal (a crash means filling again), the store turns WAL back on.
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');
  const insert = db.prepare(
    `INSERT INTO port_buckets (proto, port, granularity, bucket, events, sources, sensors, operators, targets,
       sources_handshake, sources_no_handshake, src_sketch, sensor_sketch, operator_sketch, target_sketch,
       hs_sketch, nohs_sketch)
     VALUES (@proto, @port, @granularity, @bucket, @events, @sources, @sensors, @operators, @targets,
       @sources_handshake, @sources_no_handshake, @src_sketch, @sensor_sketch, @operator_sketch, @target_sketch,
       @hs_sketch, @nohs_sketch)`,
  );
  const rows: Record<string, number> = { '5m': 0, '1h': 0, '1d': 0 };
  const writeDay = db.transaction((list: Row[]) => {
    for (const row of list) insert.run(row);
  });
  const first = opts.today - (days - 1) * DAY;
  let salt = 0;
  for (let d = 0; d < days; d++) {
    const day = first + d * DAY;
    const active: Array<{ k: KeyModel; sources: number }> = [];
    for (const k of keys) {
      if (k.rank > ALWAYS && r() > tailP(k.rank)) continue;
      active.push({ k, sources: Math.max(1, Math.round(S1 * k.rank ** -1.3 * lognormal(r, 0.25))) });
    }
    const out: Row[] = [];
    for (const a of active) out.push(makeRow(a.k, '1d', day, a.sources, true, r, ++salt));
    const tail = active.filter((a) => a.k.rank > ALWAYS);
    const pick = (n: number): typeof active => {
      const chosen: typeof active = active.slice(0, n);
      for (let i = 0; i < n && tail.length > 0; i++) {
        const t = tail[Math.floor(r() * tail.length)];
        if (t && !chosen.includes(t)) chosen.push(t);
      }
      return chosen;
    };
    for (let h = 0; h < 24; h++) {
      const bucket = day + h * HOUR;
      if (bucket > opts.now) break;
      for (const a of pick(120)) {
        const s = Math.max(1, Math.round((a.sources / 12) * lognormal(r, 0.3)));
        out.push(makeRow(a.k, '1h', bucket, s, false, r, ++salt));
      }
    }
    if (day >= opts.today - 13 * DAY) {
      for (let b = 0; b < 288; b++) {
        const bucket = day + b * MIN5;
        if (bucket > opts.now) break;
        for (const a of pick(60)) {
          const s = Math.max(1, Math.round((a.sources / 100) * lognormal(r, 0.3)));
          out.push(makeRow(a.k, '5m', bucket, s, false, r, ++salt));
        }
      }
    }
    for (const row of out) rows[row.granularity] = (rows[row.granularity] ?? 0) + 1;
    writeDay(out);
    if (d % 30 === 29 || d === days - 1) log(`fill: day ${d + 1}/${days}, ${out.length} rows that day`);
  }
  db.close();
  return { rows };
}
