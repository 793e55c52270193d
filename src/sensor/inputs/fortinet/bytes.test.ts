/** The byte helpers shared by the fortinet, paloalto and juniper inputs. */
import { describe, expect, it } from 'vitest';
import {
  AddressCache,
  epochAt,
  icmpTypeAt,
  KeyTable,
  offsetAt,
  portAt,
  protocolAt,
  skipPri,
} from './bytes.js';
import { CivilClock } from './clock.js';
import { cefTimeAt, scanCefExtension } from './cef.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const whole = <T>(f: (buf: Uint8Array, a: number, e: number) => T, s: string): T => f(b(s), 0, s.length);

describe('byte helpers', () => {
  it('ports, protocols and ICMP types', () => {
    expect(whole(portAt, '65535')).toBe(65535);
    expect(whole(portAt, '65536')).toBe(-1);
    expect(whole(portAt, '')).toBe(-1);
    expect(whole(protocolAt, 'TCP')).toBe(6);
    expect(whole(protocolAt, 'ipv6-icmp')).toBe(58);
    expect(whole(protocolAt, '256')).toBe(-1);
    expect(whole(protocolAt, 'quic')).toBe(-1);
    expect(whole(icmpTypeAt, '0x0D')).toBe(13);
    expect(whole(icmpTypeAt, '0x100')).toBe(-1);
    expect(whole(icmpTypeAt, '8')).toBe(8);
  });

  it('epoch digits by length, UTC offsets, syslog PRI', () => {
    expect(whole(epochAt, '1700000000')).toBe(1700000000000);
    expect(whole(epochAt, '1700000000123')).toBe(1700000000123);
    expect(whole(epochAt, '1700000000123456')).toBe(1700000000123);
    expect(whole(epochAt, '1700000000123456789')).toBe(1700000000123);
    expect(whole(epochAt, '17000000001234567890')).toBeNaN();
    expect(whole(offsetAt, '+0200')).toBe(120);
    expect(whole(offsetAt, '-03:30')).toBe(-210);
    expect(whole(offsetAt, 'GMT+2')).toBe(120);
    expect(whole(offsetAt, 'UTC')).toBe(0);
    expect(whole(offsetAt, 'CEST')).toBeNaN();
    expect(skipPri(b('<134>x'), 0, 6)).toBe(5);
    expect(skipPri(b('<x>'), 0, 3)).toBe(0);
    expect(skipPri(b('<134'), 0, 4)).toBe(0);
  });

  it('AddressCache gives canonical, cached strings', () => {
    const c = new AddressCache();
    const s = '2001:0DB8:0000:0000:0000:0000:0000:0001';
    expect(whole((buf, a, e) => c.at(buf, a, e), s)).toBe('2001:db8::1');
    expect(whole((buf, a, e) => c.at(buf, a, e), '010.001.000.001')).toBe('10.1.0.1');
    expect(whole((buf, a, e) => c.at(buf, a, e), '1.2.3')).toBeNull();
  });

  it('KeyTable finds its keys only and refuses colliding ones', () => {
    const t = new KeyTable([
      ['srcip', 1],
      ['tz', 2],
    ]);
    expect(whole((buf, a, e) => t.get(buf, a, e), 'srcip')).toBe(1);
    expect(whole((buf, a, e) => t.get(buf, a, e), 'tz')).toBe(2);
    expect(whole((buf, a, e) => t.get(buf, a, e), 'srcxp')).toBe(-1);
    expect(
      () =>
        new KeyTable([
          ['ab', 1],
          ['ab', 2],
        ]),
    ).toThrow(/collides/);
  });

  it('CEF extension values run to the last space before the next key; times with zones', () => {
    const ext = 'a=1 dvchost=GP cloud service b=x\\=y c="q" d=';
    const got: string[] = [];
    scanCefExtension(b(ext), 0, ext.length, (ks, ke, vs, ve) => {
      got.push(`${ext.slice(ks, ke)}:${ext.slice(vs, ve)}`);
      return false;
    });
    expect(got).toEqual(['a:1', 'dvchost:GP cloud service', 'b:x\\=y', 'c:q', 'd:']);
    const clock = new CivilClock('utc');
    expect(whole((buf, a, e) => cefTimeAt(buf, a, e, clock, undefined), 'Mar 01 2021 20:48:21')).toBe(
      Date.UTC(2021, 2, 1, 20, 48, 21),
    );
    expect(
      whole((buf, a, e) => cefTimeAt(buf, a, e, clock, undefined), 'Mar 01 2021 20:48:21.5 +01:00'),
    ).toBe(Date.UTC(2021, 2, 1, 19, 48, 21, 500));
    expect(whole((buf, a, e) => cefTimeAt(buf, a, e, clock, 60), 'Mar 01 2021 20:48:21')).toBe(
      Date.UTC(2021, 2, 1, 19, 48, 21),
    );
    expect(whole((buf, a, e) => cefTimeAt(buf, a, e, clock, undefined), '1614631701000')).toBe(1614631701000);
    expect(whole((buf, a, e) => cefTimeAt(buf, a, e, clock, undefined), 'Feb 30 2021 20:48:21')).toBeNaN();
  });
});
