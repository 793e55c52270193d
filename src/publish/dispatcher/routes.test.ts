/** Routing rules and the backoff schedule. */
import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';
import { channelsFor, routeMatches } from './routes.js';
import { sampleMessage } from './test-helpers.js';

describe('routes', () => {
  const msg = sampleMessage(); // advisory.published, high, tcp/1025
  it('matches each condition on its own', () => {
    expect(routeMatches(undefined, msg)).toBe(true);
    expect(routeMatches({}, msg)).toBe(true);
    expect(routeMatches({ kinds: ['advisory.published'] }, msg)).toBe(true);
    expect(routeMatches({ kinds: ['incident.opened'] }, msg)).toBe(false);
    expect(routeMatches({ min_level: 'high' }, msg)).toBe(true);
    expect(routeMatches({ min_level: 'high' }, { ...msg, level: 'medium' })).toBe(false);
    expect(routeMatches({ min_level: 'info' }, { ...msg, level: undefined })).toBe(false);
    expect(routeMatches({ ports: ['udp/1025', 'tcp/1025'] }, msg)).toBe(true);
    expect(routeMatches({ ports: ['udp/1025'] }, msg)).toBe(false);
    expect(routeMatches({ ports: ['tcp/1025'] }, { ...msg, port: undefined })).toBe(false);
    expect(routeMatches({ kinds: ['advisory.published'], min_level: 'high', ports: ['tcp/22'] }, msg)).toBe(
      false,
    );
  });

  it('takes the union of matching routes, each channel once in order of mention', () => {
    const routes = [
      { name: 'a', match: { kinds: ['incident.opened' as const] }, channels: ['x'] },
      { name: 'b', channels: ['y', 'z'] },
      { name: 'c', match: { min_level: 'low' as const }, channels: ['z', 'w'] },
    ];
    expect(channelsFor(routes, msg)).toEqual(['y', 'z', 'w']);
    expect(channelsFor([], msg)).toEqual([]);
  });
});

describe('backoff', () => {
  const p = { base_ms: 1000, max_ms: 60_000 };
  it('doubles per failure within [d/2, d) and stops at the cap', () => {
    expect([1, 2, 3, 4].map((a) => backoffDelay(p, a, () => 0))).toEqual([500, 1000, 2000, 4000]);
    expect(backoffDelay(p, 3, () => 0.5)).toBe(3000);
    expect(backoffDelay(p, 3, () => 1)).toBeLessThan(4000);
    expect(backoffDelay(p, 100, () => 0.999)).toBeLessThan(60_000);
    expect(backoffDelay(p, 100, () => 0)).toBe(30_000);
  });
  it('takes a floor, but not beyond the cap', () => {
    expect(backoffDelay(p, 1, () => 0, 9000)).toBe(9000);
    expect(backoffDelay(p, 1, () => 0, 1e9)).toBe(60_000);
  });
});
