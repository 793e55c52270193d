import { describe, expect, it } from 'vitest';
import { NonceCache } from './nonce-cache.js';

describe('NonceCache', () => {
  it('remembers a nonce per sensor until it expires', () => {
    const c = new NonceCache(10);
    expect(c.remember('s1', 'n', 1000, 0)).toBe(true);
    expect(c.has('s1', 'n', 999)).toBe(true);
    expect(c.has('s2', 'n', 999)).toBe(false);
    expect(c.has('s1', 'n', 1000)).toBe(false);
  });

  it('sweeps expired entries when full and records the new one', () => {
    const c = new NonceCache(2);
    c.remember('s', 'a', 100, 0);
    c.remember('s', 'b', 200, 0);
    expect(c.remember('s', 'c', 300, 150)).toBe(true);
    expect(c.size).toBe(2);
    expect(c.has('s', 'b', 150)).toBe(true);
  });

  it('refuses (fails closed) when full of live nonces, never forgetting one', () => {
    const c = new NonceCache(2);
    c.remember('s', 'a', 100, 0);
    c.remember('s', 'b', 100, 0);
    expect(c.remember('s', 'c', 100, 50)).toBe(false);
    expect(c.has('s', 'a', 50)).toBe(true);
    expect(c.has('s', 'c', 50)).toBe(false);
  });
});
