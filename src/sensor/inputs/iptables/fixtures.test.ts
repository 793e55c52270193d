/**
 * The iptables parser against real files (/work/shared/fixtures/real/iptables, SOURCES.md says what is odd in
 * each). Expected values come from the files themselves through simple regular expressions written here, never
 * from what the parser printed once.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { AttackEvent } from '../../../core/event.js';
import type { ParseResult } from '../input.js';
import { IptablesParser, parseIptablesBuffer } from './index.js';

const dir = fileURLToPath(new URL('../../../../../shared/fixtures/real/iptables/', import.meta.url));
const present = existsSync(dir);
if (!present) console.warn(`iptables fixture tests skipped: ${dir} is absent`);

const NOW = Date.UTC(2024, 5, 1); // 2024-06-01, after every year-less stamp in the fixtures
const ctx = { now: NOW };
const lines = (f: string): string[] =>
  readFileSync(dir + f, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);
const parseAll = (f: string): ParseResult[] => {
  const p = new IptablesParser({ timezone: 'utc' });
  return lines(f).map((l) => p.parseLine(l, ctx));
};
const events = (rs: ParseResult[]): AttackEvent[] => rs.flatMap((r) => (r.kind === 'event' ? [r.event] : []));
/** RFC 5952 text by an independent implementation: the WHATWG URL serialiser. */
const v6 = (a: string): string => new URL(`http://[${a}]/`).hostname.slice(1, -1);
const canon = (a: string): string => (a.includes(':') ? v6(a) : a);

/** `Mmm dd HH:MM:SS` at the start of a line, in UTC, in the given year. */
function classicUtc(line: string, year: number): number {
  const m = /^(\w{3}) +(\d+) (\d\d):(\d\d):(\d\d)/.exec(line)!;
  const month = 'JanFebMarAprMayJunJulAugSepOctNovDec'.indexOf(m[1]!) / 3;
  return Date.UTC(year, month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]));
}

/** A deliberately simple reference reading of a line: regexes over the outer packet. */
function reference(
  line: string,
): { src: string; dst?: string; proto: string; port: number; sport?: number; flags?: string } | null {
  const outer = line.replace(/(PROTO=\S+.*?) \[.*$/, '$1'); // drop an ICMP error's inner packet
  const field = (k: string): string | undefined => new RegExp(`(?:^| )${k}=(\\S*)`).exec(outer)?.[1];
  const inIf = /(?:^|[^A-Za-z0-9_])IN=(\S*)/.exec(outer)?.[1];
  const src = field('SRC');
  const proto = field('PROTO');
  if (!inIf || inIf === 'lo' || !src || !proto) return null;
  const dst = field('DST');
  const base = { src: canon(src), dst: dst === undefined ? undefined : canon(dst) };
  if (proto === 'TCP' || proto === 'UDP') {
    const words = new Set(outer.slice(outer.indexOf('PROTO=')).split(' '));
    const flags = [...'FSRPAUEC']
      .filter((_, i) => words.has(['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR'][i]!))
      .join('');
    const spt = field('SPT');
    return {
      ...base,
      proto: proto.toLowerCase(),
      port: Number(field('DPT')),
      sport: spt === undefined ? undefined : Number(spt),
      flags: proto === 'TCP' ? flags : undefined,
    };
  }
  if (proto === 'ICMP' || proto === 'ICMPv6')
    return { ...base, proto: proto === 'ICMP' ? 'icmp' : 'icmp6', port: Number(field('TYPE')) };
  if (/^\d+$/.test(proto)) return { ...base, proto: 'other', port: Number(proto) };
  return { ...base, proto: 'other', port: { UDPLITE: 136, SCTP: 132, ESP: 50, AH: 51 }[proto] ?? -1 };
}

describe.skipIf(!present)('iptables parser on real fixtures', () => {
  it('agrees with the reference reading on every line of every file', () => {
    const files = readdirSync(dir);
    expect(files.length).toBeGreaterThan(20);
    let compared = 0;
    for (const f of files) {
      const p = new IptablesParser({ timezone: 'utc' });
      for (const line of lines(f)) {
        const want = reference(line);
        const got = p.parseLine(line, ctx);
        if (want === null) {
          expect(got.kind, `${f}: ${line}`).not.toBe('event');
          continue;
        }
        if (got.kind !== 'event')
          throw new Error(`${f}: expected an event, got ${got.kind} ${got.reason}: ${line}`);
        const { ts: _ts, ...rest } = got.event;
        expect(rest, `${f}: ${line}`).toEqual(want);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(6000);
  });

  it('psad-syn_scan_1000_1500: every line a SYN from 192.168.10.55, ports exactly 1000..1500', () => {
    const text = readFileSync(dir + 'psad-syn_scan_1000_1500', 'utf8');
    const regexPorts = new Set([...text.matchAll(/DPT=(\d+)/g)].map((m) => Number(m[1])));
    const rs = parseAll('psad-syn_scan_1000_1500');
    const evs = events(rs);
    expect(evs).toHaveLength(lines('psad-syn_scan_1000_1500').length);
    const ports = new Set(evs.map((e) => e.port));
    expect(ports).toEqual(regexPorts);
    expect([...ports].sort((a, b) => a - b)).toEqual(Array.from({ length: 501 }, (_, i) => 1000 + i));
    const sports = [...text.matchAll(/SPT=(\d+)/g)].map((m) => Number(m[1]));
    expect(evs.map((e) => e.sport)).toEqual(sports);
    for (const e of evs) {
      expect(e).toMatchObject({ proto: 'tcp', src: '192.168.10.55', dst: '192.168.10.1', flags: 'S' });
    }
    expect(evs.map((e) => e.ts)).toEqual(lines('psad-syn_scan_1000_1500').map((l) => classicUtc(l, 2024)));
  });

  it.each([
    ['psad-fin_scan_1000_1150', 'F'],
    ['psad-xmas_scan_1000_1150', 'FPU'],
    ['psad-ack_scan_1000_1150', 'A'],
    ['psad-null_scan_1000_1150', ''],
  ])('%s: TCP flags %j on every attempt', (f, flags) => {
    const evs = events(parseAll(f));
    expect(evs.length).toBe(lines(f).filter((l) => l.includes('PROTO=TCP')).length);
    expect(new Set(evs.map((e) => e.flags))).toEqual(new Set([flags]));
  });

  it('psad-null_scan: the reply on OUT=eth0 with IN= empty is skipped as outbound', () => {
    const rs = parseAll('psad-null_scan_1000_1150');
    const outbound = lines('psad-null_scan_1000_1150').filter((l) => / IN= OUT=\S/.test(l)).length;
    expect(outbound).toBe(1);
    expect(rs.filter((r) => r.kind === 'skip' && r.reason === 'outbound')).toHaveLength(outbound);
  });

  it('psad-udp_scan: UDP ports from DPT=, no flags, not confused by the second LEN=', () => {
    const text = readFileSync(dir + 'psad-udp_scan_1000_1150', 'utf8');
    const evs = events(parseAll('psad-udp_scan_1000_1150'));
    expect(evs.map((e) => e.port)).toEqual([...text.matchAll(/DPT=(\d+)/g)].map((m) => Number(m[1])));
    expect(evs.map((e) => e.sport)).toEqual([...text.matchAll(/SPT=(\d+)/g)].map((m) => Number(m[1])));
    expect(evs.every((e) => e.proto === 'udp' && e.flags === undefined)).toBe(true);
  });

  it('psad-proto_scan: numeric PROTO=n becomes other/n, named ones their IANA number', () => {
    const ls = lines('psad-proto_scan');
    const evs = events(parseAll('psad-proto_scan'));
    expect(evs).toHaveLength(ls.length);
    const iana: Record<string, number> = { UDPLITE: 136, ESP: 50, AH: 51 };
    ls.forEach((l, i) => {
      const proto = /PROTO=(\S+)/.exec(l)![1]!;
      const e = evs[i]!;
      if (proto === 'TCP' || proto === 'UDP') expect(e.proto).toBe(proto.toLowerCase());
      else expect([e.proto, e.port]).toEqual(['other', /^\d+$/.test(proto) ? Number(proto) : iana[proto]]);
    });
    expect(ls.some((l) => l.includes('PROTO=58 '))).toBe(true); // 58 in an IPv4 header: a scanned number, not ICMPv6
  });

  it('IPv6: fully expanded addresses come out RFC 5952; ICMPv6 keeps the type as port', () => {
    for (const f of [
      'psad-ipv6_tcp_connect_nmap_default_scan',
      'psad-topera_ipv6_syn_scan_no_ip_opts',
      'psad-ipv6_ping_scan',
    ]) {
      const ls = lines(f);
      const evs = events(parseAll(f));
      expect(evs).toHaveLength(ls.length);
      ls.forEach((l, i) => {
        const e = evs[i]!;
        expect(e.src).toBe(v6(/SRC=(\S+)/.exec(l)![1]!));
        if (l.includes('PROTO=ICMPv6'))
          expect(e).toMatchObject({ proto: 'icmp6', port: Number(/TYPE=(\d+)/.exec(l)![1]) });
        else expect(e).toMatchObject({ proto: 'tcp', port: Number(/DPT=(\d+)/.exec(l)![1]) });
      });
    }
    expect(events(parseAll('psad-ipv6_ping_scan'))[0]).toMatchObject({
      src: '2001:db8:0:f101::2',
      dst: 'ff02::1:ff00:1',
    });
  });

  it('psad-syslog_time_fmt1.log: RFC 3339 stamps with microseconds and +02:00', () => {
    const ls = lines('psad-syslog_time_fmt1.log');
    const evs = events(parseAll('psad-syslog_time_fmt1.log'));
    expect(evs).toHaveLength(ls.length);
    ls.forEach((l, i) => {
      const m = /^(\S+T\d\d:\d\d:\d\d\.\d{3})\d*(\S+)/.exec(l)!;
      expect(evs[i]!.ts).toBe(Date.parse(m[1]! + m[2]!));
    });
  });

  it('classic stamps: year from the clock, rolled back when more than a day ahead', () => {
    const [line] = lines('psad-syn_scan_1000_1500'); // Mar 11 20:35:11
    const p = new IptablesParser({ timezone: 'utc' });
    const at = (now: number): number => (p.parseLine(line!, { now }) as { event: AttackEvent }).event.ts;
    expect(at(Date.UTC(2024, 5, 1))).toBe(Date.UTC(2024, 2, 11, 20, 35, 11));
    expect(at(Date.UTC(2024, 2, 11, 0, 0))).toBe(Date.UTC(2024, 2, 11, 20, 35, 11)); // less than a day ahead: kept
    expect(at(Date.UTC(2024, 2, 10, 12, 0))).toBe(Date.UTC(2023, 2, 11, 20, 35, 11)); // more than a day ahead
    expect(at(Date.UTC(2025, 0, 2))).toBe(Date.UTC(2024, 2, 11, 20, 35, 11)); // read early next year
  });

  it('glued prefixes: Shorewall, OpenWRT "DROP(src wan)IN=", ufw', () => {
    const igmp = events(parseAll('psad-ipv4_igmp'));
    expect(igmp).toHaveLength(4);
    expect(
      igmp.every(
        (e) => e.proto === 'other' && e.port === 2 && e.src === '192.168.10.55' && e.dst === '224.0.0.1',
      ),
    ).toBe(true);
    expect(events(parseAll('logstash-shorewall_spec.log')).map((e) => [e.proto, e.port])).toEqual([
      ['udp', 5335],
      ['tcp', 8080],
    ]);
    const openwrt = lines('wazuh-iptables.ini.log').filter((l) => l.includes(')IN='));
    const p = new IptablesParser({ timezone: 'utc' });
    expect(openwrt.length).toBeGreaterThan(0);
    for (const l of openwrt)
      expect(p.parseLine(l, ctx)).toMatchObject({
        kind: 'event',
        event: { src: '205.205.205.205', port: 23 },
      });
  });

  it('wazuh: egress lines (IN= empty, OUT=<if>) are skipped as outbound, the rest are events', () => {
    const ls = lines('wazuh-iptables.ini.log');
    const rs = parseAll('wazuh-iptables.ini.log');
    const egress = ls.filter((l) => /(?:^| )IN= OUT=\S/.test(l)).length;
    expect(egress).toBe(21);
    expect(rs.filter((r) => r.kind === 'skip' && r.reason === 'outbound')).toHaveLength(egress);
    expect(events(rs)).toHaveLength(ls.length - egress);
  });

  it('hub-iptables-logs: XX= instead of IN= is malformed, lo is skipped, a dotted interface name is valid', () => {
    const rs = parseAll('hub-iptables-logs.log');
    expect(rs.map((r) => (r.kind === 'event' ? 'event' : r.reason))).toEqual([
      'event',
      'event',
      'missing_in',
      'loopback',
    ]);
    // Line 2 (IN=enp.1s0) is called malformed by CrowdSec's test, but Linux allows '.' in interface names and VLAN
    // interfaces use it (vmbr0.94 and enp4s0f0.82 appear in the Proxmox and Sekoia files), so it is an attempt.
  });

  it('Proxmox: stamp inside the line, host OUT without IN= is outbound', () => {
    const ls = lines('hub-proxmox-iptables.log');
    const rs = parseAll('hub-proxmox-iptables.log');
    ls.forEach((l, i) => {
      const m = /(\d\d)\/(\w{3})\/(\d{4}):(\d\d:\d\d:\d\d) ([+-]\d\d)(\d\d)/.exec(l)!;
      const r = rs[i]!;
      if (r.kind === 'event')
        expect(r.event.ts).toBe(Date.parse(`${m[2]} ${m[1]} ${m[3]} ${m[4]} GMT${m[5]}${m[6]}`));
      else expect(r).toEqual({ kind: 'skip', reason: 'outbound' });
    });
    expect(events(rs).find((e) => e.src.includes(':'))).toMatchObject({
      src: '2a0a:1580::a',
      dst: '2a0a:1580::17',
      port: 22,
    });
  });

  it('grep -H prefix before the stamp; lines without any stamp take ctx.now; other programs are not_firewall', () => {
    const [sql] = events(parseAll('psad-ipv6_ms_sql_server_sig_match'));
    expect(sql).toMatchObject({ port: 1433, ts: Date.UTC(2024, 2, 17, 13, 39, 13) });
    expect(events(parseAll('sekoia-netfilter-tests.log')).every((e) => e.ts === NOW)).toBe(true);
    expect(parseAll('hub-unifi-logs.log').at(-1)).toEqual({ kind: 'skip', reason: 'not_firewall' });
  });

  it('parseIptablesBuffer counts the same as line by line, from bytes', () => {
    for (const f of readdirSync(dir)) {
      const rs = parseAll(f);
      const c = parseIptablesBuffer(readFileSync(dir + f), { now: NOW });
      expect(c, f).toEqual({
        lines: rs.length,
        events: rs.filter((r) => r.kind === 'event').length,
        skipped: rs.filter((r) => r.kind === 'skip').length,
        malformed: rs.filter((r) => r.kind === 'malformed').length,
      });
    }
  });
});
