import { describe, expect, it } from 'vitest';
import type { KeyObservation } from '../../../core/observation.js';
import { createDetectionEngine } from './engine.js';
import { keyId } from './key-state.js';
import { OperatorHistory } from './operator-history.js';
import { observationOf, SyntheticFleet } from './synthetic.test-helpers.js';
import type { BucketResult } from './types.js';

const KEY = 1025;
const DELTA = 1 - 1 / 28;

const obs = (shares: Array<[string, number, boolean?]>): KeyObservation => observationOf(shares);

describe('operator history (caps relative to history)', () => {
  it('learns discounted daily sources per operator and forgets what fades', () => {
    const h = new OperatorHistory();
    h.learn(
      KEY,
      10,
      obs([
        ['a', 10],
        ['b', 1],
      ]),
      DELTA,
    );
    h.learn(KEY, 11, obs([['a', 10]]), DELTA);
    expect(h.of(KEY).get('a')).toBeCloseTo(10 * DELTA + 10, 10);
    expect(h.of(KEY).get('b')).toBeCloseTo(DELTA, 10);
    h.learn(KEY, 11 + 200, obs([['a', 1]]), DELTA);
    expect(h.of(KEY).has('b')).toBe(false);
    expect(h.of(KEY).get('a')).toBeGreaterThan(1);
  });

  it('ignores probation shares when learning', () => {
    const h = new OperatorHistory();
    h.learn(
      KEY,
      1,
      obs([
        ['a', 5],
        ['new', 50, true],
      ]),
      DELTA,
    );
    expect([...h.of(KEY).keys()]).toEqual(['a']);
  });

  const capIn = (tallies: Array<[string, number]>, expected: number, fleetOperators = 8, min = 0) => ({
    tallies: new Map(tallies),
    total: tallies.reduce((a, x) => a + x[1], 0),
    expected,
    fleetOperators,
    factor: 4,
    min,
  });

  it('leaves a rise shared as history says untouched, and cuts operators that never saw the key', () => {
    const h = new OperatorHistory();
    const ops = ['a', 'b', 'c', 'd', 'e'];
    for (let d = 0; d < 60; d++) h.learn(KEY, d, obs(ops.map((o) => [o, 10])), DELTA);
    // Everybody ×20, in proportion: nothing is cut.
    expect(
      h.capped(
        KEY,
        capIn(
          ops.map((o) => [o, 200]),
          50,
        ),
      ),
    ).toEqual({ kept: 1000, cut: [] });
    // Two operators new to the key bring 300 sources each: held to their caps (about 4 × 1/(D + F) of the rest).
    const c = h.capped(
      KEY,
      capIn([...ops.map((o): [string, number] => [o, 10]), ['x', 300], ['y', 300]], 50),
    );
    expect(c.cut).toEqual(['x', 'y']);
    expect(c.kept).toBeGreaterThan(50);
    expect(c.kept).toBeLessThan(60);
    // With a floor of 3, each keeps at least 3.
    const f = h.capped(
      KEY,
      capIn([...ops.map((o): [string, number] => [o, 10]), ['x', 300], ['y', 300]], 50, 8, 3),
    );
    expect(f.kept).toBeGreaterThanOrEqual(56);
  });

  it('treats operators alike on a key with little history (a sparse window is not cut)', () => {
    const h = new OperatorHistory();
    h.learn(KEY, 1, obs([['a', 1]]), DELTA);
    // Ten sources over six operators, one or two each, on a key seen once: nothing to cut.
    const sparse: Array<[string, number]> = [
      ['a', 2],
      ['b', 2],
      ['c', 2],
      ['d', 2],
      ['e', 1],
      ['f', 1],
    ];
    expect(h.capped(KEY, capIn(sparse, 0.5, 36, 1))).toEqual({ kept: 10, cut: [] });
  });

  it('compares an operator with the others, so its own flood cannot raise its cap', () => {
    const h = new OperatorHistory();
    for (let d = 0; d < 60; d++)
      h.learn(
        KEY,
        d,
        obs([
          ['a', 50],
          ['b', 50],
        ]),
        DELTA,
      );
    // a's history is about half the key: it may hold up to about 4 × (1/2)/(1/2) = 4 times what b sees now.
    const c = h.capped(
      KEY,
      capIn(
        [
          ['a', 1000],
          ['b', 5],
        ],
        10,
        2,
      ),
    );
    expect(c.cut).toEqual(['a']);
    expect(c.kept).toBeGreaterThan(5 + 15);
    expect(c.kept).toBeLessThan(5 + 25);
    // Alone on the key now, it may still see `factor` times what its history expects of it.
    const alone = h.capped(KEY, capIn([['a', 30]], 10, 2));
    expect(alone.kept).toBeGreaterThan(15);
    expect(alone.kept).toBeLessThan(25);
  });
});

describe('the operator_caps gate in the engine', () => {
  const START = Date.UTC(2026, 0, 5);
  const HOUR = 3_600_000;
  const KEYS = [
    { proto: 'tcp' as const, port: 22, rate: 0.5 },
    { proto: 'tcp' as const, port: 1025, rate: 0.02 },
  ];

  /** 14 days of hourly and daily buckets, then 6 Sybil operators (new to the fleet's history of the key) flood
   * tcp/1025 for 3 hours: more operators than the trimmed test removes (10% of 36 = 4). */
  function sybil(capFactor: number): BucketResult[] {
    const engine = createDetectionEngine(capFactor > 0 ? { operator_cap_factor: capFactor } : {});
    const fleet = new SyntheticFleet(30, KEYS, 5);
    for (let h = 0; h < 14 * 24; h++) {
      const b = START + h * HOUR;
      engine.closeBucket(fleet.bucket('1h', b));
      if ((h + 1) % 24 === 0) engine.closeBucket(fleet.bucket('1d', b + HOUR - 86_400_000));
    }
    // The histories are part of the saved state: a restart resumes with them.
    const resumed = createDetectionEngine({}, engine.saveState());
    const learned = engine.operatorHistory.of(keyId('tcp', 1025));
    expect(learned.size).toBe(30);
    expect(resumed.operatorHistory.of(keyId('tcp', 1025))).toEqual(learned);
    fleet.operators.push('sy0', 'sy1', 'sy2', 'sy3', 'sy4', 'sy5');
    const out: BucketResult[] = [];
    for (let h = 0; h < 3; h++) {
      const extra = {
        proto: 'tcp' as const,
        port: 1025,
        perOperator: 2,
        operators: fleet.operators.slice(30),
      };
      out.push(engine.closeBucket(fleet.bucket('1h', START + (14 * 24 + h) * HOUR, [extra], 30)));
    }
    return out;
  }

  it('keeps a Sybil flood by operators new to the key as a local anomaly', () => {
    const results = sybil(0);
    expect(results.flatMap((r) => r.changed).filter((i) => i.port === 1025)).toEqual([]);
    const a = results.flatMap((r) => r.anomalies).find((x) => x.port === 1025);
    expect(a).toBeDefined();
    const failed = a!.evidence.gates.filter((g) => !g.passed).map((g) => g.name);
    expect(failed).toEqual(['operator_caps']);
    expect(a!.operators.some((o) => o.startsWith('sy'))).toBe(true);
  });

  it('would have alerted without the caps (the gate is what stops it)', () => {
    const results = sybil(1e12);
    const inc = results.flatMap((r) => r.changed).filter((i) => i.port === 1025);
    expect(inc.length).toBeGreaterThan(0);
  });
});
