/**
 * loadGeo against the real installed data (well-known addresses, and mmdb-lib and csv-parse as independent
 * oracles on samples), against small files of our own (range edges, gaps, both CSV forms, overlaps), and against
 * broken files (the start-up error must name the key, the file and the line).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { Reader } from 'mmdb-lib';
import type { Response } from 'mmdb-lib';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStormwatchError } from '../../core/errors.js';
import { parseAddress, V4 } from './address.js';
import { DEFAULT_GEO_FILES, NO_GEO, loadGeo } from './geo.js';
import type { GeoInfo, LoadedGeo } from './geo.js';
import { isSpecialV4, isSpecialV6 } from './special.js';

const logger = pino({ level: 'silent' });
const dir = mkdtempSync(join(tmpdir(), 'sw-geo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const NULLS: GeoInfo = { country: null, asn: null, as_name: null };

function file(name: string, text: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** The SW_CONFIG_INVALID message loadGeo throws for these options (fails the test when it does not throw). */
function startError(opts: Parameters<typeof loadGeo>[0]): string {
  try {
    loadGeo(opts, logger);
  } catch (err) {
    expect(isStormwatchError(err) && err.code).toBe('SW_CONFIG_INVALID');
    return (err as Error).message;
  }
  throw new Error('loadGeo did not throw');
}

/** A deterministic pseudo-random uint32 sequence. */
function prng(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

const words = new Uint32Array(4);
/** True for an address that must answer nulls whatever the data says. */
function special(ip: string): boolean {
  const kind = parseAddress(ip, words);
  return kind === V4 ? isSpecialV4(words[0] ?? 0) : isSpecialV6(words[0] ?? 0);
}

const v4 = (n: number): string => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;

describe('loadGeo with the installed ip-location-db data', () => {
  let geo: LoadedGeo;
  beforeAll(() => {
    geo = loadGeo({}, logger);
  });

  it('answers well-known addresses', () => {
    expect(geo.lookup('8.8.8.8')).toEqual({ country: 'US', asn: 15169, as_name: 'Google LLC' });
    expect(geo.lookup('2001:4860:4860::8888')).toEqual({ country: 'US', asn: 15169, as_name: 'Google LLC' });
    const one = geo.lookup('1.1.1.1');
    expect(one.asn).toBe(13335);
    expect(one.as_name).toMatch(/^Cloudflare/);
    expect(one.country).toMatch(/^[A-Z]{2}$/);
    expect(geo.lookup('2606:4700:4700::1111').asn).toBe(13335);
    // k.root-servers.net, operated by the RIPE NCC from Amsterdam.
    expect(geo.lookup('193.0.14.129')).toMatchObject({ country: 'NL', asn: 25152 });
    expect(geo.lookup('9.9.9.9')).toMatchObject({ asn: 19281, as_name: 'Quad9' });
  });

  it('reads any text form of an address, and IPv4-mapped IPv6 as the IPv4 address', () => {
    const google = geo.lookup('8.8.8.8');
    expect(geo.lookup('::ffff:8.8.8.8')).toEqual(google);
    expect(geo.lookup('::FFFF:808:808')).toEqual(google);
    const v6 = geo.lookup('2001:4860:4860::8888');
    expect(geo.lookup('2001:4860:4860:0:0:0:0:8888')).toEqual(v6);
    expect(geo.lookup('2001:4860:4860:0000:0000:0000:0000:8888')).toEqual(v6);
    expect(geo.lookup('2001:4860:4860::8888'.toUpperCase())).toEqual(v6);
  });

  it('answers nulls for private, reserved and other special-purpose addresses', () => {
    for (const ip of [
      '0.0.0.0',
      '10.1.2.3',
      '100.64.0.1',
      '127.0.0.1',
      '169.254.169.254',
      '172.16.0.1',
      '172.31.255.255',
      '192.0.2.1',
      '192.168.1.1',
      '198.18.0.1',
      '198.51.100.7',
      '203.0.113.9',
      '224.0.0.1',
      '240.0.0.1',
      '255.255.255.255',
      '::ffff:10.0.0.1',
      '::',
      '::1',
      'fe80::1',
      'fc00::1',
      'fd12:3456::1',
      'ff02::1',
      '2001:db8::1',
      '3fff::1',
      '64:ff9b::808:808',
    ])
      expect(geo.lookup(ip), ip).toEqual(NULLS);
    // The neighbours of special blocks are ordinary addresses.
    expect(geo.lookup('172.32.0.1').asn).not.toBeNull();
    expect(geo.lookup('11.0.0.1').country).not.toBeNull();
  });

  it('answers nulls for anything that is not an address, and never throws', () => {
    for (const bad of [
      '',
      'garbage',
      '8.8.8',
      '8.8.8.8.8',
      '8.8.8.256',
      '8.8.8.8/32',
      ' 8.8.8.8',
      '8.8.8.8 ',
      '08.8.8.0008',
      'fe80::1%eth0',
      '2001:4860::8888::1',
      '2001:4860:4860:0:0:0:0:0:8888',
      '12345::1',
      ':::',
      'x'.repeat(1000),
      '١.١.١.١',
    ])
      expect(geo.lookup(bad), bad).toEqual(NULLS);
    // Events are validated upstream, but a wrong value must still not throw here.
    const lookupAnything = geo.lookup.bind(geo) as (ip: unknown) => GeoInfo;
    for (const notString of [undefined, null, 42, {}, ['8.8.8.8']])
      expect(lookupAnything(notString)).toEqual(NULLS);
  });

  it('agrees with mmdb-lib on the country of sampled addresses', () => {
    const require = createRequire(import.meta.url);
    const reader = new Reader<Response>(readFileSync(require.resolve(DEFAULT_GEO_FILES.country_file)));
    const country = (ip: string): unknown =>
      (reader.get(ip) as { country_code?: unknown } | null)?.country_code ?? null;
    const next = prng(7);
    let checked = 0;
    for (let i = 0; i < 20_000; i++) {
      const ip = v4(next());
      if (special(ip)) continue;
      expect(geo.lookup(ip).country, ip).toBe(country(ip));
      checked++;
    }
    for (let i = 0; i < 5000; i++) {
      // Allocated IPv6 space is sparse: sample around prefixes that are in the data.
      const hi = [0x2001, 0x2400, 0x2600, 0x2a00, 0x2c0f][i % 5] ?? 0;
      const hex = (n: number): string => n.toString(16);
      const ip = `${hex(hi + (next() & 0x3ff))}:${hex(next() & 0xffff)}::${hex(next() & 0xffff)}`;
      if (special(ip)) continue;
      const ours = geo.lookup(ip);
      expect(ours.country, ip).toBe(country(ip));
      if (ours.country !== null) checked++;
    }
    expect(checked).toBeGreaterThan(10_000);
  });

  it('agrees with csv-parse on sampled rows of the ASN files', () => {
    const require = createRequire(import.meta.url);
    for (const key of ['asn_ipv4_file', 'asn_ipv6_file'] as const) {
      const lines = readFileSync(require.resolve(DEFAULT_GEO_FILES[key]), 'utf8').split('\n');
      const next = prng(11);
      let checked = 0;
      for (let i = 0; i < 1000; i++) {
        const line = lines[next() % lines.length] ?? '';
        if (line === '') continue;
        const [row] = parseCsv(line);
        const [start = '', end = '', asn = '', name = ''] = row ?? [];
        for (const ip of [start, end]) {
          if (special(ip)) continue;
          const got = geo.lookup(ip);
          // The one overlap in the published IPv4 file resolves to the earlier row.
          if (got.asn !== Number(asn) && ip === '215.0.0.0') continue;
          expect(got, `${ip} (${line})`).toMatchObject({ asn: Number(asn), as_name: name });
          checked++;
        }
      }
      expect(checked, key).toBeGreaterThan(1500);
    }
  });

  it('names its sources and reports what it holds', () => {
    expect(geo.sources.country).toMatch(/geo-whois-asn-country\.mmdb$/);
    expect(geo.sources.asn).toMatch(/asn-ipv4\.csv, .*asn-ipv6\.csv$/);
    expect(geo.stats.country_runs_v4).toBeGreaterThan(100_000);
    expect(geo.stats.asn_runs_v6).toBeGreaterThan(10_000);
    expect(geo.stats.as_names).toBeLessThan(geo.stats.asn_rows / 2); // interned
  });
});

describe('loadGeo with files of our own', () => {
  const v4Text = [
    'ip_range_start,ip_range_end,autonomous_system_number,autonomous_system_organization',
    '1.0.0.0,1.0.0.255,64500,"Example, Inc."',
    '1.0.1.0,1.0.1.255,64501,Second Net',
    // gap 1.0.2.0 - 1.0.3.255
    '1.0.4.0,1.0.7.255,64500,"Example, Inc."',
    '1.0.8.0,1.0.8.0,64502,"The ""Quoted"" AS"',
    '1.0.8.1,1.0.8.9,64503,',
    '1.0.8.5,1.0.8.20,64504,Overlapping AS', // overlaps the row before: clipped to 1.0.8.10-1.0.8.20
    '223.255.255.0,223.255.255.255,4294967294,Top AS',
    '',
  ].join('\n');
  const toNum = (ip: string): string => String(ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0));
  const v4Num = v4Text
    .split('\n')
    .slice(1)
    .map((l) => l.replace(/^([\d.]+),([\d.]+)/, (_, a: string, b: string) => `${toNum(a)},${toNum(b)}`))
    .join('\r\n');
  const v6Text = [
    '2001:200::,2001:200:ffff:ffff:ffff:ffff:ffff:ffff,64510,Wide',
    '2001:201::,2001:201::,64511,Single',
    '2001:201::2,2001:201::ffff,64512,After A Gap',
    '2001:202::ffff:ffff,2001:202::1:0:0,64513,Across Words',
    '2c0f:ffff::,2c0f:ffff:ffff:ffff:ffff:ffff:ffff:ffff,64514,Last',
    '',
  ].join('\n');
  const big = (ip: string): string => {
    const [head = '', tail = ''] = ip.split('::');
    const h = head ? head.split(':') : [];
    const t = tail ? tail.split(':') : [];
    const groups = ip.includes('::') ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
    return groups.reduce((acc, g) => (acc << 16n) | BigInt(`0x${g}`), 0n).toString();
  };
  const v6Num = v6Text
    .split('\n')
    .map((l) => l.replace(/^([\da-f:]+),([\da-f:]+)/, (_, a: string, b: string) => `${big(a)},${big(b)}`))
    .join('\n');

  const expectV4 = (geo: LoadedGeo): void => {
    const asn = (ip: string): number | null => geo.lookup(ip).asn;
    expect(asn('1.0.0.0')).toBe(64500);
    expect(asn('1.0.0.255')).toBe(64500);
    expect(asn('1.0.1.0')).toBe(64501);
    expect(asn('1.0.1.255')).toBe(64501);
    expect(geo.lookup('1.0.2.0')).toEqual(NULLS);
    expect(geo.lookup('1.0.3.255')).toEqual(NULLS);
    expect(asn('1.0.4.0')).toBe(64500);
    expect(asn('1.0.7.255')).toBe(64500);
    expect(geo.lookup('1.0.4.0').as_name).toBe('Example, Inc.');
    expect(geo.lookup('1.0.8.0')).toEqual({ country: null, asn: 64502, as_name: 'The "Quoted" AS' });
    expect(geo.lookup('1.0.8.1')).toEqual({ country: null, asn: 64503, as_name: null });
    expect(asn('1.0.8.9')).toBe(64503);
    expect(asn('1.0.8.10')).toBe(64504);
    expect(asn('1.0.8.20')).toBe(64504);
    expect(asn('1.0.8.21')).toBeNull();
    expect(asn('0.255.255.255')).toBeNull();
    expect(asn('223.255.254.255')).toBeNull();
    expect(geo.lookup('223.255.255.255')).toEqual({ country: null, asn: 4294967294, as_name: 'Top AS' });
    expect(geo.stats.asn_overlaps).toBe(1);
  };

  const expectV6 = (geo: LoadedGeo): void => {
    const asn = (ip: string): number | null => geo.lookup(ip).asn;
    expect(asn('2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff')).toBeNull();
    expect(asn('2001:200::')).toBe(64510);
    expect(asn('2001:200:ffff:ffff:ffff:ffff:ffff:ffff')).toBe(64510);
    expect(asn('2001:201::')).toBe(64511);
    expect(asn('2001:201::1')).toBeNull();
    expect(asn('2001:201::2')).toBe(64512);
    expect(asn('2001:201::ffff')).toBe(64512);
    expect(asn('2001:201::1:0')).toBeNull();
    expect(asn('2001:202::ffff:fffe')).toBeNull();
    expect(asn('2001:202::ffff:ffff')).toBe(64513);
    expect(asn('2001:202::1:0:0')).toBe(64513);
    expect(asn('2001:202::1:0:1')).toBeNull();
    expect(asn('2c0f:fffe:ffff:ffff:ffff:ffff:ffff:ffff')).toBeNull();
    expect(asn('2c0f:ffff::')).toBe(64514);
    expect(asn('2c0f:ffff:ffff:ffff:ffff:ffff:ffff:ffff')).toBe(64514);
    expect(asn('2c10::')).toBeNull();
    expect(geo.lookup('2001:201::')).toEqual({ country: null, asn: 64511, as_name: 'Single' });
  };

  it('finds the first and last address of each range and nothing in the gaps (address text)', () => {
    const geo = loadGeo(
      { country_file: null, asn_ipv4_file: file('a4.csv', v4Text), asn_ipv6_file: file('a6.csv', v6Text) },
      logger,
    );
    expectV4(geo);
    expectV6(geo);
    expect(geo.sources).toEqual({ country: null, asn: `${join(dir, 'a4.csv')}, ${join(dir, 'a6.csv')}` });
    expect(geo.stats.asn_records).toBe(11); // "Example, Inc." twice is one record
  });

  it('reads the numeric (-num) form and CRLF line ends the same way', () => {
    const geo = loadGeo(
      { country_file: null, asn_ipv4_file: file('n4.csv', v4Num), asn_ipv6_file: file('n6.csv', v6Num) },
      logger,
    );
    expectV4(geo);
    expectV6(geo);
  });

  it('disables each part on its own with null, and answers nulls after close()', () => {
    const only4 = loadGeo(
      { country_file: null, asn_ipv4_file: file('b4.csv', v4Text), asn_ipv6_file: null },
      logger,
    );
    expect(only4.lookup('1.0.0.1').asn).toBe(64500);
    expect(only4.lookup('2001:200::1')).toEqual(NULLS);
    expect(only4.sources).toEqual({ country: null, asn: join(dir, 'b4.csv') });
    only4.close();
    expect(only4.lookup('1.0.0.1')).toEqual(NULLS);
    const none = loadGeo({ country_file: null, asn_ipv4_file: null, asn_ipv6_file: null }, logger);
    expect(none.lookup('8.8.8.8')).toEqual(NULLS);
    expect(none.sources).toEqual({ country: null, asn: null });
    expect(NO_GEO.lookup('8.8.8.8')).toEqual(NULLS);
    expect(NO_GEO.sources).toEqual({ country: null, asn: null });
  });
});

describe('loadGeo with broken files', () => {
  const off = { country_file: null, asn_ipv4_file: null, asn_ipv6_file: null };
  const csv4 = (...rows: string[]): string =>
    file(`bad-${rows.length}-${Math.random()}.csv`, rows.join('\n'));

  it('names a missing file and its config key', () => {
    const missing = join(dir, 'nope.csv');
    const msg = startError({ ...off, asn_ipv4_file: missing });
    expect(msg).toContain('geo.asn_ipv4_file');
    expect(msg).toContain(missing);
    expect(msg).toContain('ENOENT');
    expect(startError({ ...off, country_file: join(dir, 'nope.mmdb') })).toContain('geo.country_file');
  });

  it('names the line and what is wrong in a CSV file', () => {
    const good = '1.0.0.0,1.0.0.255,64500,A';
    expect(
      startError({
        ...off,
        asn_ipv4_file: csv4(good, good.replaceAll('1.0.0', '1.0.1'), '1.0.2.0,1.0.2.9,AS1,B'),
      }),
    ).toMatch(/geo\.asn_ipv4_file .*bad-3.*: line 3: ASN "AS1" is not a number/);
    expect(startError({ ...off, asn_ipv4_file: csv4(good, '1.0.1.0,1.0.1.9,64500') })).toMatch(
      /line 2: expected 4 fields .* found 3/,
    );
    expect(startError({ ...off, asn_ipv4_file: csv4(good, '1.0.1.0,1.0.1.300,64500,A') })).toMatch(
      /line 2: range end is not an IPv4 address/,
    );
    expect(startError({ ...off, asn_ipv4_file: csv4(good, '2001::,2001::ff,64500,A') })).toMatch(
      /line 2: range start is not an IPv4 address/,
    );
    expect(startError({ ...off, asn_ipv4_file: csv4(good, '1.0.1.9,1.0.1.0,64500,A') })).toMatch(
      /line 2: range start is after its end/,
    );
    expect(startError({ ...off, asn_ipv4_file: csv4('1.0.1.0,1.0.1.9,64500,A', good) })).toMatch(
      /line 2: rows are not in ascending order/,
    );
    expect(startError({ ...off, asn_ipv4_file: csv4(good, '', '1.0.1.0,1.0.1.9,64500,"A') })).toMatch(
      /line 3: unterminated quoted field/,
    );
    expect(startError({ ...off, asn_ipv4_file: csv4(good, '1.0.1.0,1.0.1.9,64500,A "B"') })).toMatch(
      /line 2: quote inside an unquoted field/,
    );
    expect(startError({ ...off, asn_ipv4_file: csv4('') })).toMatch(/line 1: no ranges in the file/);
    expect(
      startError({ ...off, asn_ipv6_file: file('v6bad.csv', '2001::,2001::ff,1,A\n1.0.0.0,1.0.0.1,2,B\n') }),
    ).toMatch(/geo\.asn_ipv6_file .*line 2: range start is not an IPv6 address/);
  });

  it('refuses a country file that is not a usable MMDB', () => {
    const require = createRequire(import.meta.url);
    const real = readFileSync(require.resolve(DEFAULT_GEO_FILES.country_file));
    for (const [name, bytes] of [
      ['text.mmdb', Buffer.from('1.0.0.0,1.0.0.255,AU\n')],
      ['truncated.mmdb', real.subarray(0, 1_000_000)],
      ['empty.mmdb', Buffer.alloc(0)],
    ] as const) {
      const p = file(name, bytes);
      const msg = startError({ ...off, country_file: p });
      expect(msg, name).toContain(`geo.country_file ${p}: `);
    }
  });
});
