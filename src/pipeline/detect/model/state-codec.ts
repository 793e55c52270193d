/**
 * The engine's state as bytes, and back: what a restart needs to resume without relearning.
 *
 * Layout (little endian): "SWD3", the JSON header's length and the key count (u32 each), the UTF-8 JSON header
 * (clocks, season, over-dispersion, incidents, campaign samples, anomaly times, operators' histories), then the keys in columns (see
 * encodeState): ids, per key lastSeen and per granularity a[4], b, t, Bt, cusum, recentT, guardDay, born (f64),
 * flags (1: recent counts kept, 2: guard snapshots kept), and the kept arrays (f32). Columns copy as typed
 * arrays, so 131,072 keys save and load in a fraction of a second.
 * Saved in parts (encodeStateParts, what the server writes after every bucket), the first part is that layout
 * with the first KEYS_PER_PART keys, and each later part is "SWK3", a zero header length, its key count and the
 * next keys in the same columns: the server never holds the whole state (about 100 MB at 131,072 keys) as one
 * buffer.
 *
 * Invariants: decode(encode(s)) restores every number bit for bit (f32 arrays are stored as f32), and so do the
 * parts decoded in order; a wrong magic, version, a truncated buffer or a key in two parts is refused with
 * SW_INPUT_INVALID (the caller then drops the whole state: it is never used half-loaded).
 */
import { makeError } from '../../../core/errors.js';
import { Baseline } from './baseline.js';
import type { Dispersion } from './dispersion.js';
import type { FleetClock } from './fleet-clock.js';
import {
  F_SOURCES,
  F_TOP_ID,
  F_WEIGHTED,
  GUARD_SLOTS,
  GranularityState,
  KeyState,
  RECENT,
  RECENT_SLOTS,
} from './key-state.js';
import type { OperatorHistory } from './operator-history.js';
import type { SeasonFactors } from './season.js';
import type { Incident } from './types.js';

export interface EngineSnapshot {
  clocks: FleetClock[];
  keys: Map<number, KeyState>;
  season: SeasonFactors;
  dispHour: Dispersion;
  dispDay: Dispersion;
  incidents: Map<number, Incident>;
  samples: Map<string, Set<string>>;
  anomalyTimes: Map<string, number[]>;
  sensorAnomalyTimes: Map<string, number[]>;
  operatorHistory: OperatorHistory;
  /** Operators' names by interned id (the recent rings keep ids). */
  operatorNames: string[];
  operatorIds: Map<string, number>;
  lastRolloverDay: number;
}

interface Header {
  /** 3: five recent fields per bucket, operators' names and histories; 2 (read only): three fields, neither. */
  v: 2 | 3;
  clocks: Array<{ t: number; t0: number; B: number; es: number[] }>;
  season: { sum: number[]; weight: number[] };
  disp: Array<{ num: number[]; den: number[]; frozen: number[] }>;
  incidents: Array<[number, Incident]>;
  samples: Array<[string, string[]]>;
  anomalyTimes: Array<[string, number[]]>;
  /** Per sensor: times of the local anomalies that named it (absent in states written before it existed). */
  sensorAnomalyTimes?: Array<[string, number[]]>;
  /** Per key: [key id, day, [operator, discounted sources]...]. */
  operatorHistory?: Array<[number, number, Array<[string, number]>]>;
  operatorNames?: string[];
  lastRolloverDay: number;
}

/** Recent slots of a granularity in a state of version v (version 2 kept the first three fields). */
const recentSlotsOf = (v: number): number => (v === 2 ? 3 * RECENT : RECENT_SLOTS);

const MAGIC = 0x33445753; // "SWD3" little endian
/** A later part of a state saved in parts (encodeStateParts): keys only. */
const PART_MAGIC = 0x334b5753; // "SWK3" little endian
/** Keys per part: about 13 MB at the full state's 800 bytes a key. */
export const KEYS_PER_PART = 16_384;
const G = 3;
const PER_G_F64 = 11;
const PER_KEY_F64 = 1 + G * PER_G_F64;

/** Columns of the key section, in order: ids u32[n], then (8-aligned) f64[n·PER_KEY_F64], flags u8[n·G], then
 * (4-aligned) every present recent/guard array as f32, key by key, granularity by granularity. */
export function encodeState(s: EngineSnapshot): Uint8Array {
  return encodeSection(MAGIC, headerBytes(s), [...s.keys.values()]);
}

/**
 * The state in parts, made one at a time as they are read (so that 131,072 keys, about 100 MB, are never in
 * memory as one buffer): the first part is encodeState's format with the header and the first `keysPerPart`
 * keys, each later part holds the next keys in the same layout under its own magic and no header. decodeState
 * of the first part followed by decodeStatePart of each later one, in order, restores the state.
 */
export function* encodeStateParts(
  s: EngineSnapshot,
  keysPerPart = KEYS_PER_PART,
  opts: { reuse?: boolean } = {},
): Generator<Uint8Array> {
  const keys = [...s.keys.values()];
  const per = Math.max(1, Math.floor(keysPerPart));
  // With `reuse`, every part is written into one buffer (grown when a part needs more): a part is valid only
  // until the next is asked for, and the parts of a state cost one part's memory, not the whole state's.
  const scratch = opts.reuse ? { bytes: new Uint8Array(0) } : undefined;
  yield encodeSection(MAGIC, headerBytes(s), keys.slice(0, per), scratch);
  for (let from = per; from < keys.length; from += per) {
    yield encodeSection(PART_MAGIC, new Uint8Array(0), keys.slice(from, from + per), scratch);
  }
}

function headerBytes(s: EngineSnapshot): Uint8Array {
  const header: Header = {
    v: 3,
    clocks: s.clocks.map((c) => ({ t: c.t, t0: c.t0, B: c.B, es: [...c.esRing] })),
    season: { sum: [...s.season.sum], weight: [...s.season.weight] },
    disp: [s.dispHour, s.dispDay].map((d) => ({ num: [...d.num], den: [...d.den], frozen: [...d.frozen] })),
    incidents: [...s.incidents],
    samples: [...s.samples].map(([k, v]) => [k, [...v]]),
    anomalyTimes: [...s.anomalyTimes],
    sensorAnomalyTimes: [...s.sensorAnomalyTimes],
    operatorHistory: [...s.operatorHistory.byKey].map(([k, h]) => [k, h.day, [...h.ops]]),
    operatorNames: s.operatorNames,
    lastRolloverDay: s.lastRolloverDay,
  };
  return Buffer.from(JSON.stringify(header), 'utf8');
}

/** magic u32 | json length u32 | key count u32 | json | the key section (columns, see encodeState). */
function encodeSection(
  magic: number,
  json: Uint8Array,
  keys: readonly KeyState[],
  scratch?: { bytes: Uint8Array },
): Uint8Array {
  const n = keys.length;
  let f32n = 0;
  for (const k of keys) {
    for (const gs of k.g) f32n += (gs.recent ? RECENT_SLOTS : 0) + (gs.guard ? GUARD_SLOTS : 0);
  }
  const idsAt = align(12 + json.length, 4);
  const f64At = align(idsAt + 4 * n, 8);
  const flagsAt = f64At + 8 * n * PER_KEY_F64;
  const f32At = align(flagsAt + n * G, 4);
  const size = f32At + 4 * f32n;
  let bytes: Uint8Array;
  if (scratch === undefined) {
    bytes = new Uint8Array(size);
  } else {
    if (scratch.bytes.length < size) scratch.bytes = new Uint8Array(size);
    bytes = scratch.bytes.subarray(0, size).fill(0); // padding bytes as a fresh buffer has them
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, size);
  view.setUint32(0, magic, true);
  view.setUint32(4, json.length, true);
  view.setUint32(8, n, true);
  bytes.set(json, 12);
  const ids = new Uint32Array(bytes.buffer, idsAt, n);
  const f64 = new Float64Array(bytes.buffer, f64At, n * PER_KEY_F64);
  const flags = new Uint8Array(bytes.buffer, flagsAt, n * G);
  const f32 = new Float32Array(bytes.buffer, f32At, f32n);
  let i = 0;
  let q = 0;
  for (const k of keys) {
    ids[i] = k.id;
    let o = i * PER_KEY_F64;
    f64[o++] = k.lastSeen;
    k.g.forEach((gs, gi) => {
      const bl = gs.baseline;
      f64.set(bl.a, o);
      f64[o + 4] = bl.b;
      f64[o + 5] = bl.t;
      f64[o + 6] = bl.Bt;
      f64[o + 7] = gs.cusum;
      f64[o + 8] = gs.recentT;
      f64[o + 9] = gs.guardDay;
      f64[o + 10] = gs.born;
      o += PER_G_F64;
      flags[i * G + gi] = (gs.recent ? 1 : 0) | (gs.guard ? 2 : 0);
      if (gs.recent) {
        f32.set(gs.recent, q);
        q += RECENT_SLOTS;
      }
      if (gs.guard) {
        f32.set(gs.guard, q);
        q += GUARD_SLOTS;
      }
    });
    i++;
  }
  return bytes;
}

const align = (x: number, to: number): number => Math.ceil(x / to) * to;
const bad = (why: string): Error => makeError('SW_INPUT_INVALID', `detector state refused: ${why}`);

/** Loads `bytes` (encodeState, or the first of encodeStateParts) into the (fresh) snapshot's containers. */
export function decodeState(input: Uint8Array, s: EngineSnapshot): void {
  // A copy: typed-array views need aligned offsets, which a caller's slice need not have.
  const bytes = new Uint8Array(input);
  const view = new DataView(bytes.buffer);
  if (bytes.length < 12) throw bad(`truncated at byte ${bytes.length}`);
  if (view.getUint32(0, true) !== MAGIC) throw bad('not a detector state of this version (magic)');
  const jl = view.getUint32(4, true);
  const n = view.getUint32(8, true);
  if (12 + jl > bytes.length) throw bad(`truncated in the header (${bytes.length} bytes)`);
  let header: Header;
  try {
    header = JSON.parse(Buffer.from(bytes.buffer, 12, jl).toString('utf8')) as Header;
  } catch {
    throw bad('header is not JSON');
  }
  if ((header.v !== 2 && header.v !== 3) || header.clocks.length !== G) {
    throw bad(`unknown version ${String(header.v)}`);
  }
  const keys = decodeKeys(bytes, jl, n, recentSlotsOf(header.v));
  header.clocks.forEach((c, i) => {
    const clock = s.clocks[i];
    if (!clock) return;
    clock.t = c.t;
    clock.t0 = c.t0;
    clock.B = c.B;
    clock.esRing.set(c.es.slice(0, clock.esRing.length));
  });
  s.season.sum.set(header.season.sum);
  s.season.weight.set(header.season.weight);
  [s.dispHour, s.dispDay].forEach((d, i) => {
    const h = header.disp[i];
    if (!h) return;
    d.num.set(h.num);
    d.den.set(h.den);
    d.frozen.set(h.frozen);
  });
  for (const [k, v] of keys) s.keys.set(k, v);
  for (const [k, v] of header.incidents) s.incidents.set(k, v);
  for (const [k, v] of header.samples) s.samples.set(k, new Set(v));
  for (const [k, v] of header.anomalyTimes) s.anomalyTimes.set(k, v);
  for (const [k, v] of header.sensorAnomalyTimes ?? []) s.sensorAnomalyTimes.set(k, v);
  for (const name of header.operatorNames ?? []) {
    s.operatorIds.set(name, s.operatorNames.length);
    s.operatorNames.push(name);
  }
  for (const [k, day, ops] of header.operatorHistory ?? []) {
    s.operatorHistory.byKey.set(k, { day, ops: new Map(ops) });
  }
  s.lastRolloverDay = header.lastRolloverDay;
}

/** Adds the keys of a later part of encodeStateParts to a snapshot that decodeState filled from the first. */
export function decodeStatePart(input: Uint8Array, s: EngineSnapshot): void {
  const bytes = new Uint8Array(input);
  const view = new DataView(bytes.buffer);
  if (bytes.length < 12) throw bad(`part truncated at byte ${bytes.length}`);
  if (view.getUint32(0, true) !== PART_MAGIC) throw bad('not a part of a detector state (magic)');
  const jl = view.getUint32(4, true);
  if (jl !== 0) throw bad('a later part carries a header');
  for (const [k, v] of decodeKeys(bytes, 0, view.getUint32(8, true), RECENT_SLOTS)) {
    if (s.keys.has(k)) throw bad(`key ${k} in two parts`);
    s.keys.set(k, v);
  }
}

/** The key section of a section whose JSON is `jl` bytes long (see encodeSection); the whole rest of `bytes`. */
function decodeKeys(bytes: Uint8Array, jl: number, n: number, slots: number): Map<number, KeyState> {
  const idsAt = align(12 + jl, 4);
  const f64At = align(idsAt + 4 * n, 8);
  const flagsAt = f64At + 8 * n * PER_KEY_F64;
  const f32At = align(flagsAt + n * G, 4);
  if (f32At > bytes.length) throw bad(`truncated in the keys (${bytes.length} bytes, ${n} keys)`);
  const ids = new Uint32Array(bytes.buffer, idsAt, n);
  const f64 = new Float64Array(bytes.buffer, f64At, n * PER_KEY_F64);
  const flags = new Uint8Array(bytes.buffer, flagsAt, n * G);
  let need = 0;
  for (const f of flags) need += (f & 1 ? slots : 0) + (f & 2 ? GUARD_SLOTS : 0);
  const o = f32At + 4 * need;
  if (o > bytes.length) throw bad(`truncated in the recent counts (${bytes.length} bytes, need ${o})`);
  const f32 = new Float32Array(bytes.buffer, f32At, need);
  const keys = new Map<number, KeyState>();
  let q = 0;
  for (let i = 0; i < n; i++) {
    let p = i * PER_KEY_F64;
    const lastSeen = f64[p++] ?? -Infinity;
    const gss: GranularityState[] = [];
    for (let gi = 0; gi < G; gi++) {
      const bl = new Baseline();
      bl.a.set(f64.subarray(p, p + 4));
      bl.b = f64[p + 4] ?? 0;
      bl.t = f64[p + 5] ?? -1;
      bl.Bt = f64[p + 6] ?? 0;
      const gs = new GranularityState(bl);
      gs.cusum = f64[p + 7] ?? 0;
      gs.recentT = f64[p + 8] ?? -1;
      gs.guardDay = f64[p + 9] ?? -1;
      gs.born = f64[p + 10] ?? -1;
      p += PER_G_F64;
      const fl = flags[i * G + gi] ?? 0;
      if (fl & 1) {
        gs.recent = new Float32Array(RECENT_SLOTS);
        gs.recent.set(f32.subarray(q, q + slots));
        // Version 2 kept neither operator ids nor non-probation sources: its buckets have no operator (-1), so no
        // earlier bucket is attributed to one, and their sources count as non-probation.
        if (slots < RECENT_SLOTS) {
          gs.recent.fill(-1, F_TOP_ID * RECENT, (F_TOP_ID + 1) * RECENT);
          gs.recent.copyWithin(F_WEIGHTED * RECENT, F_SOURCES * RECENT, (F_SOURCES + 1) * RECENT);
        }
        q += slots;
      }
      if (fl & 2) {
        gs.guard = f32.slice(q, q + GUARD_SLOTS);
        q += GUARD_SLOTS;
      }
      gss.push(gs);
    }
    const ks = new KeyState(ids[i] ?? 0, gss as [GranularityState, GranularityState, GranularityState]);
    ks.lastSeen = lastSeen;
    keys.set(ks.id, ks);
  }
  if (o !== bytes.length) throw bad(`${bytes.length - o} trailing bytes`);
  return keys;
}
