/**
 * The delisting input rules and the limiter: canonical networks, the public limits on width and special
 * ranges, bounded text, fixed windows per client, and memory bounded by max_clients.
 */
import { describe, expect, it } from 'vitest';
import { DelistLimiter, allowlistBody, delistRequestBody } from './delist.js';

describe('bodies', () => {
  it('canonicalises networks and trims text', () => {
    expect(
      delistRequestBody.parse({
        network: ' 2001:DB8:0:0::/48 ',
        contact: ' noc@example.org ',
        reason: 'our lab network',
      }),
    ).toEqual({ network: '2001:db8::/48', contact: 'noc@example.org', reason: 'our lab network' });
    expect(
      delistRequestBody.parse({ network: '192.0.2.7', contact: 'abc', reason: 'a single host only' }).network,
    ).toBe('192.0.2.7/32');
  });

  it('lets an admin allowlist wide and special ranges that the public may not ask for', () => {
    const wide = { cidr: '10.0.0.0/8', reason: 'internal', actor: 'ops' };
    expect(allowlistBody.parse(wide).cidr).toBe('10.0.0.0/8');
    expect(
      delistRequestBody.safeParse({ network: '2001:db8::/31', contact: 'abc', reason: 'too wide a range' })
        .success,
    ).toBe(false);
    expect(allowlistBody.safeParse({ ...wide, expires_days: 0 }).success).toBe(false);
    expect(allowlistBody.safeParse({ ...wide, reason: 'line\u2028break' }).success).toBe(false);
  });
});

describe('DelistLimiter', () => {
  it('allows per_client requests per window, then answers the seconds to wait', () => {
    const l = new DelistLimiter({ per_client: 2, window_ms: 60_000, max_pending: 10, max_clients: 10 });
    expect([l.take('a', 0), l.take('a', 1000), l.take('a', 2000)]).toEqual([0, 0, 58]);
    expect(l.take('b', 2000)).toBe(0);
    expect(l.take('a', 60_000)).toBe(0);
  });

  it('forgets the oldest clients past max_clients', () => {
    const l = new DelistLimiter({ per_client: 1, window_ms: 60_000, max_pending: 10, max_clients: 3 });
    for (const c of ['a', 'b', 'c', 'd']) expect(l.take(c, 0)).toBe(0);
    expect(l.take('d', 1)).toBeGreaterThan(0);
    expect(l.take('a', 1)).toBe(0); // forgotten, so counted afresh
  });
});
