import { describe, expect, it } from 'vitest';
import { Freshness } from './freshness.js';

describe('Freshness', () => {
  it('probes a partition once; loads nothing of an empty one until a key of it is evicted', () => {
    const f = new Freshness();
    let probes = 0;
    const empty = (): boolean => {
      probes++;
      return false;
    };
    expect(f.needsLoad(1, 10, empty)).toBe(false);
    expect(f.needsLoad(1, 11, empty)).toBe(false);
    expect(probes).toBe(1);
    f.evicted(1, 10);
    expect(f.needsLoad(1, 10, empty)).toBe(true);
    expect(f.needsLoad(1, 11, empty)).toBe(false);
  });

  it('loads every key of a partition the store has rows of, and forgets all on clear', () => {
    const f = new Freshness();
    expect(f.needsLoad(2, 1, () => true)).toBe(true);
    f.evicted(2, 1); // no effect on a partition that is not fresh
    expect(f.needsLoad(2, 5, () => false)).toBe(true);
    expect(f.needsLoad(3, 1, () => false)).toBe(false);
    f.clear();
    expect(f.needsLoad(3, 1, () => true)).toBe(true);
  });
});
