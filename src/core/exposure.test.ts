import { describe, expect, it } from 'vitest';
import { EXPOSURE_MAX_ADDRESSES, exposureWeight } from './exposure.js';

describe('exposure weight of a sensor', () => {
  it('is 1 + log2 of the addresses it watches', () => {
    expect(exposureWeight(1)).toBe(1);
    expect(exposureWeight(16)).toBe(5);
    expect(exposureWeight(256)).toBe(9);
    expect(exposureWeight(65_536)).toBe(17);
  });

  it('counts nonsense as one address and caps the largest', () => {
    expect(exposureWeight(0)).toBe(1);
    expect(exposureWeight(-5)).toBe(1);
    expect(exposureWeight(Number.NaN)).toBe(1);
    expect(exposureWeight(Number.POSITIVE_INFINITY)).toBe(1);
    expect(exposureWeight(EXPOSURE_MAX_ADDRESSES * 4)).toBe(exposureWeight(EXPOSURE_MAX_ADDRESSES));
  });
});
