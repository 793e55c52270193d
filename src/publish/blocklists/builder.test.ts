/**
 * The blocklist builder's rules: aggregation to /24 and /48, thresholds (one operator is never enough by
 * default), expiry, allowlist (partial overlap and expired entries), never-listed ranges, order and limit, and
 * the evidence carried by each entry.
 */
import { describe, expect, it } from 'vitest';
import { DAY, NOW, build, sampleSources, totals } from './test-helpers.js';

describe('networks', () => {
  it('aggregates sources into IPv4 /24 and IPv6 /48 networks with summed evidence', () => {
    const list = build('networks', sampleSources());
    expect(list.entries.map((e) => [e.cidr, e.events, e.sources])).toEqual([
      ['203.0.113.0/24', 150, 2],
      ['2001:db8:1::/48', 55, 2],
      ['198.51.100.0/24', 50, 1],
    ]);
    const top = list.entries[0];
    expect(top).toMatchObject({
      value: '203.0.113.0/24',
      family: 4,
      sensors: 3,
      operators: 2,
      ports: [
        { key: 'udp/5060', events: 30 },
        { key: 'tcp/445', events: 15 },
        { key: 'tcp/1433', events: 5 },
      ],
      top_sources: [
        { ip: '203.0.113.7', events: 120 },
        { ip: '203.0.113.9', events: 30 },
      ],
      expires: NOW - 60_000 + 7 * DAY,
      country: 'NL',
      asn: 64500,
    });
    expect(top?.reason).toContain('150 events from 2 sources');
    expect(top?.reason).toContain('udp/5060 (30)');
    expect(top?.reason).toContain('AS64500 Example Transit');
    expect(list.entries[2]?.reason).not.toContain('AS');
  });

  it('uses the largest per-source sensor and operator counts as the network counts (a lower bound)', () => {
    const list = build('networks', [
      totals('203.0.113.1', { sensors: 1, operators: 1 }),
      totals('203.0.113.2', { sensors: 4, operators: 1 }),
    ]);
    expect(list.entries).toEqual([]);
    expect(list.excluded.below_thresholds).toBe(1);
  });

  it('honours min_sources and other prefixes', () => {
    const settings = { ...build('networks', []).settings, min_sources: 2, v4_prefix: 16 };
    const list = build('networks', sampleSources(), { settings });
    expect(list.entries.map((e) => e.cidr)).toEqual(['203.0.0.0/16', '2001:db8:1::/48']);
  });
});

describe('thresholds and exclusions', () => {
  it('never lists what one operator alone reports, nor too few sensors or events', () => {
    const list = build('sources', [
      totals('192.0.2.1', { operators: 1, sensors: 5, events: 1000 }),
      totals('192.0.2.2', { sensors: 1 }),
      totals('192.0.2.3', { events: 9 }),
      totals('192.0.2.4'),
    ]);
    expect(list.entries.map((e) => e.value)).toEqual(['192.0.2.4']);
    expect(list.excluded).toMatchObject({ below_thresholds: 3, allowlisted: 0 });
  });

  it('lists single-operator activity only when the threshold is lowered on purpose', () => {
    const settings = { ...build('sources', []).settings, min_operators: 1, min_sensors: 1 };
    const list = build('sources', [totals('192.0.2.1', { operators: 1, sensors: 1 })], { settings });
    expect(list.entries).toHaveLength(1);
  });

  it('leaves out expired entries: last seen longer ago than the TTL', () => {
    const list = build('sources', [
      totals('192.0.2.1', { last_seen: NOW - 8 * DAY, first_seen: NOW - 9 * DAY }),
      totals('192.0.2.2', { last_seen: NOW - 6 * DAY }),
    ]);
    expect(list.entries.map((e) => e.value)).toEqual(['192.0.2.2']);
    expect(list.excluded.expired).toBe(1);
  });

  it('drops private, loopback, multicast and mapped sources, and text that is no address', () => {
    const list = build('networks', [
      totals('10.1.2.3'),
      totals('127.0.0.1'),
      totals('224.0.0.5'),
      totals('fe80::1'),
      totals('not-an-address'),
      totals('203.0.113.5'),
    ]);
    expect(list.entries.map((e) => e.cidr)).toEqual(['203.0.113.0/24']);
    expect(list.excluded.never_listed).toBe(5);
  });

  it('removes entries an active allowlist range touches, even partly, and ignores expired ranges', () => {
    const sources = sampleSources();
    const list = build('networks', sources, {
      allowlist: [
        { cidr: '203.0.113.128/25', expires_at: null },
        { cidr: '2001:db8::/32', expires_at: NOW - 1 },
        { cidr: '198.51.0.0/16', expires_at: NOW + DAY },
      ],
    });
    expect(list.entries.map((e) => e.cidr)).toEqual(['2001:db8:1::/48']);
    expect(list.excluded.allowlisted).toBe(2);
    const sourcesList = build('sources', sources, { allowlist: [{ cidr: '203.0.113.7', expires_at: null }] });
    expect(sourcesList.entries.map((e) => e.value)).not.toContain('203.0.113.7');
    expect(sourcesList.entries.map((e) => e.value)).toContain('203.0.113.9');
  });
});

describe('order and limit', () => {
  it('orders by events, then sources, then CIDR, and cuts at the limit', () => {
    const list = build(
      'sources',
      [totals('192.0.2.9', { events: 50 }), totals('192.0.2.1', { events: 50 }), totals('192.0.2.5')],
      { limit: 2 },
    );
    expect(list.entries.map((e) => e.value)).toEqual(['192.0.2.1', '192.0.2.9']);
    expect(list.entries[0]?.sources).toBe(1);
    expect(list.entries[0]?.top_sources).toEqual([]);
  });

  it('is deterministic: the input order does not matter', () => {
    const a = build('networks', sampleSources());
    const b = build('networks', [...sampleSources()].reverse());
    expect(b).toEqual(a);
  });
});
