import { describe, expect, it } from 'vitest';
import type { KeyObservation } from '../../../core/observation.js';
import { observationOf } from './synthetic.test-helpers.js';
import { resolveEngineConfig } from './config.js';
import { measureBreadth, runGates } from './gates.js';

const cfg = resolveEngineConfig();

const obs = (shares: Array<[string, number, boolean?]>): KeyObservation => observationOf(shares);

const gate = (
  o: KeyObservation,
  trimmedSignificant = true,
  cappedSignificant = true,
): Record<string, boolean> => {
  const b = measureBreadth(o, cfg.trim_fraction);
  return Object.fromEntries(
    runGates(cfg, {
      breadth: b,
      trimmedSignificant,
      trimmedObserved: 0,
      trimmedExpected: 0,
      cappedSignificant,
      cappedObserved: 0,
      cappedExpected: 0,
      capCut: [],
      novel: false,
      windowSources: o.sources,
      windowWeighted: o.sources * measureBreadth(o, cfg.trim_fraction).weightedShare,
    }).map((g) => [g.name, g.passed]),
  );
};

describe('breadth and poisoning gates', () => {
  it('measures effective operators, the largest share and what trimming keeps', () => {
    const b = measureBreadth(
      obs([
        ['a', 10],
        ['b', 10],
        ['c', 10],
        ['d', 10],
      ]),
      0.1,
    );
    expect(b.operators).toBe(4);
    expect(b.effective).toBeCloseTo(4, 10);
    expect(b.maxShare).toBeCloseTo(0.25, 10);
    expect(b.keptShare).toBeCloseTo(0.75, 10);
    expect(b.top).toEqual(['a']);
  });

  it('passes broad activity', () => {
    const g = gate(obs(Array.from({ length: 12 }, (_, i) => [`op${i}`, 5 + i] as [string, number])));
    expect(Object.values(g).every(Boolean)).toBe(true);
  });

  it('fails a quorum of two operators', () => {
    expect(
      gate(
        obs([
          ['a', 20],
          ['b', 20],
        ]),
      ).operator_quorum,
    ).toBe(false);
  });

  it('fails one operator holding most of the sources, and a concentrated share', () => {
    const g = gate(
      obs([
        ['a', 90],
        ['b', 5],
        ['c', 5],
      ]),
    );
    expect(g.max_share).toBe(false);
    expect(g.effective_operators).toBe(false);
    expect(g.operator_quorum).toBe(true);
  });

  it('gives probation sensors no weight', () => {
    const o = obs([
      ['a', 2],
      ['b', 1],
      ['c', 1],
      ['new1', 40, true],
      ['new2', 40, true],
    ]);
    const b = measureBreadth(o, 0.1);
    expect(b.operators).toBe(3);
    expect(b.weightedShare).toBeCloseTo(4 / 84, 10);
    expect(gate(o).probation).toBe(false);
  });

  it('fails when the test does not survive trimming, and refuses an observation without a breakdown', () => {
    expect(
      gate(
        obs([
          ['a', 5],
          ['b', 5],
          ['c', 5],
        ]),
        false,
      ).trimmed,
    ).toBe(false);
    const bare = { ...obs([['a', 5]]), by_operator: [] };
    expect(gate(bare).operator_quorum).toBe(false);
  });
  it('judges probation on the window that fired, not on its last bucket', () => {
    // A window of 12 sources whose last 5-minute bucket holds one: no sensor is on probation, so the gate passes
    // (it used to compare the last bucket's sources with min_sources and fail every spread-out rise).
    const last = obs([['a', 1]]);
    const base = {
      breadth: measureBreadth(last, cfg.trim_fraction),
      trimmedSignificant: true,
      trimmedObserved: 0,
      trimmedExpected: 0,
      cappedSignificant: true,
      cappedObserved: 0,
      cappedExpected: 0,
      capCut: [],
      novel: false,
    };
    const probation = (windowSources: number, windowWeighted: number) =>
      runGates(cfg, { ...base, windowSources, windowWeighted }).find((g) => g.name === 'probation');
    expect(probation(12, 12)?.passed).toBe(true);
    expect(probation(12, 12)?.detail).toMatch(/^0% of the window's sources/);
    // Most of the window from sensors on probation: what is left is below min_sources.
    expect(probation(40, 4)?.passed).toBe(false);
    expect(probation(40, 4)?.detail).toMatch(/^90% /);
  });
});
