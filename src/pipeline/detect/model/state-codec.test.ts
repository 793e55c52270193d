import { describe, expect, it } from 'vitest';
import { createDetectionEngine } from './engine.js';
import { encodeStateParts } from './state-codec.js';
import { F_TOP_ID, F_WEIGHTED, GUARD_SLOTS, RECENT, RECENT_SLOTS } from './key-state.js';
import { SyntheticFleet, hours } from './synthetic.test-helpers.js';

const START = Date.UTC(2026, 0, 5);
const HOUR = 3_600_000;
const G = 3;
const PER_KEY_F64 = 1 + G * 11;
const align = (x: number, to: number): number => Math.ceil(x / to) * to;

/** Rewrites a version-3 state as version 2 wrote it: three recent fields a bucket, no operators' histories. */
function asVersion2(v3: Uint8Array): Uint8Array {
  const src = new Uint8Array(v3);
  const view = new DataView(src.buffer);
  const jl = view.getUint32(4, true);
  const n = view.getUint32(8, true);
  const header = JSON.parse(Buffer.from(src.buffer, 12, jl).toString('utf8')) as Record<string, unknown>;
  header.v = 2;
  delete header.operatorHistory;
  delete header.operatorNames;
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const at = (j: number) => {
    const ids = align(12 + j, 4);
    const f64 = align(ids + 4 * n, 8);
    const flags = f64 + 8 * n * PER_KEY_F64;
    return { ids, f64, flags, f32: align(flags + n * G, 4) };
  };
  const a = at(jl);
  const b = at(json.length);
  const flags = src.subarray(a.flags, a.flags + n * G);
  const floats: number[] = [];
  const old = new Float32Array(src.buffer, a.f32, (src.length - a.f32) / 4);
  let q = 0;
  for (const f of flags) {
    if (f & 1) {
      floats.push(...old.subarray(q, q + 3 * RECENT));
      q += RECENT_SLOTS;
    }
    if (f & 2) {
      floats.push(...old.subarray(q, q + GUARD_SLOTS));
      q += GUARD_SLOTS;
    }
  }
  const out = new Uint8Array(b.f32 + 4 * floats.length);
  const ov = new DataView(out.buffer);
  ov.setUint32(0, view.getUint32(0, true), true);
  ov.setUint32(4, json.length, true);
  ov.setUint32(8, n, true);
  out.set(json, 12);
  out.set(src.subarray(a.ids, a.ids + 4 * n), b.ids);
  out.set(src.subarray(a.f64, a.f64 + 8 * n * PER_KEY_F64), b.f64);
  out.set(flags, b.flags);
  new Float32Array(out.buffer, b.f32, floats.length).set(floats);
  return out;
}

describe('detector state codec', () => {
  const learn = (ports = [445]) => {
    const engine = createDetectionEngine();
    const fleet = new SyntheticFleet(
      12,
      ports.map((port) => ({ proto: 'tcp', port, rate: 0.2 })),
      3,
    );
    hours(START, 3 * 24).forEach((b, i) => {
      engine.closeBucket(fleet.bucket('1h', b));
      if ((i + 1) % 24 === 0) engine.closeBucket(fleet.bucket('1d', b + HOUR - 86_400_000));
    });
    return engine;
  };

  it('keeps the operators, their histories and the recent rings bit for bit', () => {
    const engine = learn();
    const again = createDetectionEngine(undefined, engine.saveState());
    expect(again.operatorNames).toEqual(engine.operatorNames);
    expect(again.operatorNames.length).toBe(12);
    for (const [id, ks] of engine.keys) {
      expect(again.operatorHistory.of(id)).toEqual(engine.operatorHistory.of(id));
      ks.g.forEach((gs, gi) => expect(again.keys.get(id)?.g[gi]?.recent).toEqual(gs.recent));
    }
    expect(again.saveState()).toEqual(engine.saveState());
  });

  it('saves in parts that load to the same state, and refuses parts out of place', () => {
    const engine = learn([22, 23, 445, 1025, 3389]);
    const keys = engine.keys.size;
    expect(keys).toBe(5);
    const parts = [...encodeStateParts(engine.snapshot(), 2)];
    expect(parts).toHaveLength(Math.ceil(keys / 2));
    // The first part alone is a whole state of the first keys; every part is far smaller than the whole.
    expect(createDetectionEngine(undefined, parts.slice(0, 1)).keys.size).toBe(2);
    const whole = engine.saveState();
    for (const p of parts.slice(1)) expect(p.length).toBeLessThan(whole.length / 2);
    const again = createDetectionEngine(undefined, parts);
    expect(again.saveState()).toEqual(whole);
    expect([...engine.saveStateParts()]).toEqual([whole]); // under KEYS_PER_PART keys: one part
    // Parts made in one reused buffer are the same bytes, each read before the next is made.
    const reused: Uint8Array[] = [];
    let buffers = new Set<ArrayBufferLike>();
    for (const p of encodeStateParts(engine.snapshot(), 2, { reuse: true })) {
      reused.push(p.slice());
      buffers = buffers.add(p.buffer);
    }
    expect(reused).toEqual(parts);
    expect(buffers.size).toBeLessThanOrEqual(2); // grown at most once (the first part has the header)
    const [first, second] = parts as [Uint8Array, Uint8Array];
    expect(() => createDetectionEngine(undefined, [second, first])).toThrow(/magic/);
    expect(() => createDetectionEngine(undefined, [first, first])).toThrow(/magic/);
    expect(() => createDetectionEngine(undefined, [first, second, second])).toThrow(/in two parts/);
    expect(() => createDetectionEngine(undefined, [first, second.subarray(0, second.length - 4)])).toThrow(
      /truncated/,
    );
  });

  it('reads a version-2 state: the same counts, no operator ids, no histories', () => {
    const engine = learn();
    const old = createDetectionEngine(undefined, asVersion2(engine.saveState()));
    expect(old.operatorNames).toEqual([]);
    for (const [id, ks] of engine.keys) {
      expect(old.operatorHistory.of(id).size).toBe(0);
      ks.g.forEach((gs, gi) => {
        const got = old.keys.get(id)?.g[gi];
        expect(got?.baseline.a).toEqual(gs.baseline.a);
        if (gs.recent === null) return expect(got?.recent).toBeNull();
        expect(got?.recent?.subarray(0, 3 * RECENT)).toEqual(gs.recent.subarray(0, 3 * RECENT));
        const ids = got?.recent?.subarray(F_TOP_ID * RECENT, (F_TOP_ID + 1) * RECENT) ?? [];
        expect([...ids].every((x) => x === -1)).toBe(true);
        expect(got?.recent?.subarray(F_WEIGHTED * RECENT)).toEqual(gs.recent.subarray(0, RECENT));
      });
    }
  });
});
