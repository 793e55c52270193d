import { describe, expect, it } from 'vitest';
import type { AttackEvent } from '../core/event.js';
import { PRIVACY_DEFAULTS, PrivacyFilter } from './privacy.js';

const ev = (src: string, dst?: string): AttackEvent => ({ ts: 1, proto: 'tcp', port: 22, src, dst });

describe('PrivacyFilter', () => {
  it('masks targets to /24 and /64 by default', () => {
    const p = new PrivacyFilter({ ...PRIVACY_DEFAULTS });
    const a = ev('8.8.8.8', '198.18.7.201');
    const b = ev('2a0a:1580::a', '2a0a:1580:1:2:3:4:5:6');
    expect(p.apply(a) && p.apply(b)).toBe(true);
    expect(a.dst).toBe('198.18.7.0');
    expect(b.dst).toBe('2a0a:1580:1:2::');
  });

  it('honours other prefixes and drop_targets', () => {
    const p = new PrivacyFilter({ ...PRIVACY_DEFAULTS, mask_ipv4_prefix: 16, mask_ipv6_prefix: 48 });
    const a = ev('8.8.8.8', '198.18.7.201');
    const b = ev('8.8.8.8', '2a0a:1580:1:2::9');
    p.apply(a);
    p.apply(b);
    expect([a.dst, b.dst]).toEqual(['198.18.0.0', '2a0a:1580:1::']);
    const d = new PrivacyFilter({ ...PRIVACY_DEFAULTS, drop_targets: true });
    const c = ev('8.8.8.8', '198.18.7.201');
    expect(d.apply(c)).toBe(true);
    expect('dst' in c).toBe(false);
  });

  it('excludes and counts non-Internet sources by default', () => {
    const p = new PrivacyFilter({ ...PRIVACY_DEFAULTS });
    const srcs = [
      '192.168.10.55',
      '10.0.0.1',
      '127.0.0.1',
      '0.0.0.0',
      '169.254.3.3',
      'fe80::1',
      '::',
      '::1',
      '2001:db8::2',
      '8.8.8.8',
      '192.168.10.55',
    ];
    const passed = srcs.filter((s) => p.apply(ev(s, '192.0.2.9')));
    expect(passed).toEqual(['8.8.8.8']);
    expect(Object.fromEntries(p.excluded)).toEqual({
      private: 3,
      loopback: 2,
      unspecified: 2,
      link_local: 2,
      reserved: 1,
    });
    expect(p.excludedTotal).toBe(10);
  });

  it('keeps private sources when told to, but never own networks', () => {
    const p = new PrivacyFilter({
      ...PRIVACY_DEFAULTS,
      exclude_private_sources: false,
      own_networks: ['203.0.113.0/24', '2001:db8:1::/48'],
    });
    expect(p.apply(ev('192.168.10.55'))).toBe(true);
    expect(p.apply(ev('203.0.113.77'))).toBe(false);
    expect(p.apply(ev('2001:db8:1:ffff::1'))).toBe(false);
    expect(p.apply(ev('2001:db8:2::1'))).toBe(true);
    expect(Object.fromEntries(p.excluded)).toEqual({ own_network: 2 });
  });

  it('refuses a bad own_networks entry at construction', () => {
    expect(() => new PrivacyFilter({ ...PRIVACY_DEFAULTS, own_networks: ['300.1.1.0/24'] })).toThrow(/CIDR/);
  });
});
