import { describe, expect, it } from 'vitest';
import { EXACT_MAX } from './small-distinct.js';
import {
  MAX_EXACT_OPERATORS,
  OTHER_OPERATORS,
  OperatorShares,
  decodeOperatorShares,
  decodeShareCounts,
} from './operator-shares.js';
import { SENSOR_IDS_MAX } from '../../core/observation.js';

describe('OperatorShares', () => {
  it('round-trips exact and bitmap sets, probation flags and 53-bit operator hashes', () => {
    const s = new OperatorShares();
    const big = s.shareOf(2 ** 53 - 1);
    for (let i = 0; i < EXACT_MAX * 4; i++) big.addSource(i * 2654435761);
    big.addSensor(11, true);
    big.addSensor(12, false);
    const fresh = s.shareOf(0);
    fresh.addSource(5);
    fresh.addSensor(13, true);
    const back = OperatorShares.decode(s.encode());
    expect(back.encode()).toEqual(s.encode());
    const counts = back.counts();
    expect(counts[0]).toMatchObject({ operator: 2 ** 53 - 1, sensors: 2, probation: false });
    expect(Math.abs((counts[0]?.sources ?? 0) - EXACT_MAX * 4)).toBeLessThanOrEqual(4);
    expect(counts[1]).toEqual({ operator: 0, sources: 1, sensors: 1, probation: true });
    expect(OperatorShares.decode(s.encode()).counts()).toEqual(decodeShareCounts(s.encode()));
  });

  it('names the sensors of a share of a few (hashes as stored, 30 bits), none past SENSOR_IDS_MAX', () => {
    const s = new OperatorShares();
    const few = s.shareOf(7);
    few.addSource(1);
    few.addSensor(2 ** 40 + 5, false); // stored as its low 30 bits
    few.addSensor(9, false);
    const many = s.shareOf(8);
    many.addSource(2);
    for (let i = 0; i <= SENSOR_IDS_MAX; i++) many.addSensor(100 + i, false);
    const named = decodeOperatorShares(
      s.encode(),
      (h) => `op${h}`,
      (h) => `s${h}`,
    );
    expect(named.find((x) => x.operator === 'op7')?.sensor_ids).toEqual(['s5', 's9']);
    expect(named.find((x) => x.operator === 'op8')).not.toHaveProperty('sensor_ids');
    // Without a sensor resolver, no names.
    expect(decodeOperatorShares(s.encode(), (h) => `op${h}`)[0]).not.toHaveProperty('sensor_ids');
  });

  it('reads a missing breakdown as empty and refuses a malformed one', () => {
    expect(decodeShareCounts(null)).toEqual([]);
    expect(new OperatorShares().encode()).toBeNull();
    expect(() => OperatorShares.decode(Buffer.from([9, 0]))).toThrow(RangeError);
    expect(() => OperatorShares.decode(Buffer.from([1, 1, 0, 0, 0, 0]))).toThrow(RangeError);
    expect(() => decodeShareCounts(Buffer.from([1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 40]))).toThrow(
      RangeError,
    );
  });

  it('folds operators past the cap into one share', () => {
    const s = new OperatorShares();
    for (let i = 0; i < MAX_EXACT_OPERATORS + 3; i++) s.shareOf(1000 + i).addSensor(i, false);
    expect(s.shareOf(OTHER_OPERATORS)).toBe(s.shareOf(999_999));
    expect(s.shareOf(1000)).not.toBe(s.shareOf(999_999));
    expect(s.size).toBe(MAX_EXACT_OPERATORS + 1);
    expect(s.counts().find((c) => c.operator === OTHER_OPERATORS)?.sensors).toBe(3);
  });
});
