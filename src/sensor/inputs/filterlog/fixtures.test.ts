/**
 * The filterlog parser against the real files of /work/shared/fixtures/real/filterlog (SOURCES.md: CrowdSec hub
 * pfSense / OPNsense samples, Wazuh's pfSense test lines, SEKOIA's bare CSV bodies, some of them synthetic).
 * Expected values come from the lines through a deliberately simple reading written here: a regex for the
 * envelope, String.split for the CSV, node:net isIP and the WHATWG URL serialiser for addresses.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { AttackEvent } from '../../../core/event.js';
import type { ParseResult } from '../input.js';
import { FilterlogParser } from './index.js';

const dir = fileURLToPath(new URL('../../../../../shared/fixtures/real/filterlog/', import.meta.url));
const present = existsSync(dir);
if (!present) console.warn(`filterlog fixture tests skipped: ${dir} is absent`);

const NOW = Date.UTC(2024, 5, 1);
const DAY = 86_400_000;
const ctx = { now: NOW };
/** Every line, blank ones included (they must be skips `empty`). */
const allLines = (f: string): string[] => {
  const ls = readFileSync(dir + f, 'utf8').split('\n');
  if (ls.at(-1) === '') ls.pop(); // the final newline ends the last line, it does not start one
  return ls;
};
const parseAll = (f: string): ParseResult[] => {
  const p = new FilterlogParser({ timezone: 'utc' });
  return allLines(f).map((l) => p.parseLine(l, ctx));
};
const outcome = (r: ParseResult): string => (r.kind === 'event' ? 'event' : `${r.kind}:${r.reason}`);
const canon = (a: string): string => (a.includes(':') ? new URL(`http://[${a}]/`).hostname.slice(1, -1) : a);

/** `Mmm dd HH:MM:SS` in UTC: this year, or last year when that would be more than a day after NOW. */
function classic(text: string): number {
  const m = /^(\w{3}) +(\d+) (\d\d):(\d\d):(\d\d)$/.exec(text)!;
  const month = 'JanFebMarAprMayJunJulAugSepOctNovDec'.indexOf(m[1]!) / 3;
  const at = (y: number) => Date.UTC(y, month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]));
  return at(2024) > NOW + DAY ? at(2023) : at(2024);
}

const ENVELOPE =
  /^(?:<\d+>1 (\S+) \S+ filterlog \S+ \S+ (?:-|\[.*\]) |(\w{3} +\d+ \d\d:\d\d:\d\d) (?:\S+ )?filterlog(?:\[\d+\])?: )?(.*)$/;
const ICMP: Record<string, number> = { request: 8, reply: 0, unreach: 3, unreachport: 3, unreachproto: 3 };

/** A simple reading of one line: the outcome, and the event where there is one. */
function reference(line: string): { outcome: string; event?: AttackEvent } {
  if (line.trim() === '') return { outcome: 'skip:empty' };
  const [, rfc, bsd, body] = ENVELOPE.exec(line)! as unknown as [
    string,
    string | undefined,
    string | undefined,
    string,
  ];
  const ts = rfc !== undefined ? Date.parse(rfc) : bsd !== undefined ? classic(bsd) : NOW;
  const f = body.split(',');
  if (f[7] === 'out') return { outcome: 'skip:outbound' };
  const six = f[8] === '6';
  const [src, dst] = six ? [f[15]!, f[16]!] : [f[18]!, f[19]!];
  if (!isIP(src)) return { outcome: 'malformed:bad_src' };
  const protoId = Number(six ? f[13] : f[15]);
  const data = f.slice(six ? 17 : 20);
  const base = { ts, src: canon(src), dst: canon(dst) };
  if (protoId === 6 || protoId === 17) {
    const flags = protoId === 6 ? [...'FSRPAUEC'].filter((c) => data[3]!.includes(c)).join('') : undefined;
    const proto = protoId === 6 ? 'tcp' : 'udp';
    return {
      outcome: 'event',
      event: { ...base, proto, port: Number(data[1]), sport: Number(data[0]), flags },
    };
  }
  if (protoId === 1) {
    if (data[0]!.startsWith('datalength=')) return { outcome: 'malformed:missing_icmp_type' };
    return { outcome: 'event', event: { ...base, proto: 'icmp', port: ICMP[data[0]!]! } };
  }
  return { outcome: 'event', event: { ...base, proto: 'other', port: protoId } };
}

describe.skipIf(!present)('filterlog parser on real fixtures', () => {
  it('accounts for every line of every file as the reference reading does', () => {
    const files = readdirSync(dir);
    expect(files.length).toBeGreaterThanOrEqual(5);
    const seen = new Map<string, number>();
    for (const f of files) {
      const p = new FilterlogParser({ timezone: 'utc' });
      for (const line of allLines(f)) {
        const want = reference(line);
        const got = p.parseLine(line, ctx);
        expect(outcome(got), `${f}: ${line}`).toBe(want.outcome);
        if (got.kind === 'event') expect(got.event, `${f}: ${line}`).toEqual(want.event);
        seen.set(want.outcome, (seen.get(want.outcome) ?? 0) + 1);
      }
    }
    expect(Object.fromEntries(seen)).toEqual({
      event: 38,
      'skip:outbound': 7,
      'skip:empty': 2,
      'malformed:missing_icmp_type': 1,
      'malformed:bad_src': 1,
    });
  });

  it('hub-pf-scan-multi-port: one SYN per scanned port, (proto, port) counts from the text', () => {
    const f = 'hub-pf-scan-multi-port.log';
    const text = readFileSync(dir + f, 'utf8');
    const fromText = [...text.matchAll(/,tcp,\d+,[\d.]+,[\d.]+,\d+,(\d+),/g)].map((m) => `tcp/${m[1]}`);
    expect(fromText).toHaveLength(16);
    const rs = parseAll(f);
    const keys = rs.flatMap((r) => (r.kind === 'event' ? [`${r.event.proto}/${r.event.port}`] : []));
    expect(keys).toEqual(fromText);
    expect(new Set(keys).size).toBe(16);
    expect(rs.flatMap((r) => (r.kind === 'event' ? [r.event.flags] : []))).toEqual(fromText.map(() => 'S'));
    expect(rs.filter((r) => r.kind !== 'event').map(outcome)).toEqual(['skip:empty']);
  });

  it('hub-pf-logs: pfSense PA and S blocks, the FA reply out is outbound, OPNsense RFC 5424 with IPv6', () => {
    const rs = parseAll('hub-pf-logs.log');
    // "Sep 28 10:38:09 pfSense filterlog: 53,,,1000000301,em0,match,block,in,4,0x0,,64,420,0,none,6,tcp,460,
    //  10.0.2.2,10.0.2.15,53742,22,420,PA,29633380:29633800,3617062173,65535,,"
    expect(rs[0]).toEqual({
      kind: 'event',
      event: {
        ts: Date.UTC(2023, 8, 28, 10, 38, 9),
        proto: 'tcp',
        port: 22,
        src: '10.0.2.2',
        sport: 53742,
        dst: '10.0.2.15',
        flags: 'PA',
      },
    });
    expect(outcome(rs[2]!)).toBe('skip:outbound');
    // "<134>1 2022-09-06T19:00:06+02:00 opnsense filterlog 57126 - [meta sequenceId="2667099"] 98,,,...,re0,
    //  match,pass,in,6,0x00,0x0ea87,51,udp,17,73,2008:8a0:702e:ce00:acc6:c7ee:fa01:2f8a,2c02:2454:ada:d900::1738,
    //  6881,51918,73"
    expect(rs[7]).toEqual({
      kind: 'event',
      event: {
        ts: Date.UTC(2022, 8, 6, 17, 0, 6),
        proto: 'udp',
        port: 51918,
        src: '2008:8a0:702e:ce00:acc6:c7ee:fa01:2f8a',
        sport: 6881,
        dst: '2c02:2454:ada:d900::1738',
      },
    });
  });

  it('hub-pfsense-rfc5424: microsecond stamps, VLAN interfaces, the IPv6 layout with "TCP"', () => {
    const rs = parseAll('hub-pfsense-rfc5424-filterlog.log');
    // "<134>1 2025-11-06T11:42:14.270789+00:00 firewall.lan filterlog 92653 - - 621,,,1644355515,vtnet0.10,
    //  match,block,in,6,0x00,0x07c63,64,TCP,6,44,fdfd:ace:ace:10:d8:cdbf:f6f8:6d69,fdfd:ace:ace:5::6,65382,443,0,S,..."
    expect(rs[2]).toEqual({
      kind: 'event',
      event: {
        ts: Date.UTC(2025, 10, 6, 11, 42, 14, 270),
        proto: 'tcp',
        port: 443,
        src: 'fdfd:ace:ace:10:d8:cdbf:f6f8:6d69',
        sport: 65382,
        dst: 'fdfd:ace:ace:5::6',
        flags: 'S',
      },
    });
    expect(rs.map(outcome)).toEqual(['event', 'event', 'event', 'event', 'skip:empty']);
  });

  it('sekoia: bare CSV bodies take ctx.now; ICMP words, CARP, and the two lines that cannot be read', () => {
    const ls = allLines('sekoia-openbsd-packet-filter-tests.log');
    const rs = parseAll('sekoia-openbsd-packet-filter-tests.log');
    expect(rs.every((r) => r.kind !== 'event' || r.event.ts === NOW)).toBe(true);
    const byLine = (needle: string) => rs[ls.findIndex((l) => l.includes(needle))]!;
    // "101,,,1643716864,vmx1,match,pass,in,4,...,1,icmp,56,1.2.3.4,5.6.7.8,unreach,host 1.2.3.4 unreachable - ..."
    expect(byLine('1643716864,vmx1')).toEqual({
      kind: 'event',
      event: { ts: NOW, proto: 'icmp', port: 3, src: '1.2.3.4', dst: '5.6.7.8' },
    });
    // "53,,,1000000202,em1,match,pass,in,4,0xe0,,255,0,0,DF,112,carp,56,1.2.3.4,5.6.7.8,advertise,..."
    expect(byLine(',carp,')).toMatchObject({ kind: 'event', event: { proto: 'other', port: 112 } });
    // An inbound ICMP packet logged as "datalength=108" carries no type: the port an ICMP event needs.
    expect(byLine('datalength=108')).toEqual({ kind: 'malformed', reason: 'missing_icmp_type' });
    // The synthetic "ip version 6" line with the IPv4 field layout has "vrrp" where the IPv6 source stands.
    expect(byLine(',vrrp,6,80,')).toEqual({ kind: 'malformed', reason: 'bad_src' });
  });

  it('wazuh: an ICMP line without type that goes out, a UDP broadcast in (no host in the first header)', () => {
    const rs = parseAll('wazuh-pfsense.ini.log');
    expect(outcome(rs[0]!)).toBe('skip:outbound');
    expect(rs[1]).toEqual({
      kind: 'event',
      event: {
        ts: Date.UTC(2023, 10, 8, 12, 37, 34),
        proto: 'udp',
        port: 17600,
        src: '10.9.0.119',
        sport: 17500,
        dst: '10.9.0.255',
      },
    });
  });
});
