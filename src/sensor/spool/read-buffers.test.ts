import { describe, expect, it } from 'vitest';
import { ReadBuffers } from './read-buffers.js';

describe('ReadBuffers', () => {
  it('lends a buffer per record, reuses it after giveBack, never after forgetSegment', () => {
    const rb = new ReadBuffers(2);
    const a = rb.lend(1, 0, 1000);
    expect(a.length).toBeGreaterThanOrEqual(1000);
    const b = rb.lend(1, 100, 1000);
    expect(b).not.toBe(a);
    rb.giveBack(1, 0);
    expect(rb.lend(2, 0, 900)).toBe(a); // given back: lent again
    rb.forgetSegment(1); // b's batch may still be in use
    rb.giveBack(1, 100);
    expect(rb.counts).toEqual({ lent: 1, free: 0 });
    expect(rb.lend(2, 50, 10)).not.toBe(b);
  });

  it('takes the smallest free buffer that fits, and keeps at most `keep` free ones (the largest)', () => {
    const rb = new ReadBuffers(2);
    const small = rb.lend(1, 0, 10);
    const big = rb.lend(1, 1, 300_000);
    const mid = rb.lend(1, 2, 100_000);
    for (const o of [0, 1, 2]) rb.giveBack(1, o);
    expect(rb.counts.free).toBe(2);
    expect(rb.lend(2, 0, 50_000)).toBe(mid);
    expect(rb.lend(2, 1, 50_000)).toBe(big);
    expect(rb.lend(2, 2, 1)).not.toBe(small); // the smallest was the one not kept
  });
});
