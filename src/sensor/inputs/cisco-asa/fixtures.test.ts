/**
 * The Cisco ASA parser against the real files (/work/shared/fixtures/real/cisco-asa, SOURCES.md says what is odd
 * in each). Expected values come from the lines themselves through one simple regular expression per message
 * template (Cisco "ASA Series Syslog Messages"), written here; never from what the parser printed once.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { AttackEvent } from '../../../core/event.js';
import type { ParseResult } from '../input.js';
import { CiscoAsaParser, parseCiscoAsaBuffer } from './index.js';

const dir = fileURLToPath(new URL('../../../../../shared/fixtures/real/cisco-asa/', import.meta.url));
const present = existsSync(dir);
if (!present) console.warn(`cisco-asa fixture tests skipped: ${dir} is absent`);

const NOW = Date.UTC(2024, 5, 1); // 2024-06-01
const DAY = 86_400_000;
const ctx = { now: NOW };
const lines = (f: string): string[] =>
  readFileSync(dir + f, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);
const parseAll = (f: string): ParseResult[] => {
  const p = new CiscoAsaParser({ timezone: 'utc' });
  return lines(f).map((l) => p.parseLine(l, ctx));
};
const events = (rs: ParseResult[]): AttackEvent[] => rs.flatMap((r) => (r.kind === 'event' ? [r.event] : []));
const outcome = (r: ParseResult): string =>
  r.kind === 'event' ? `${r.event.proto}/${r.event.port}` : r.reason;

// ---- the reference reading ----------------------------------------------------------------------------------

type Want =
  | {
      kind: 'event';
      event: {
        ts: number;
        proto: string;
        port: number;
        src: string;
        sport?: number;
        dst?: string;
        flags?: string;
      };
    }
  | { kind: 'skip' | 'malformed'; reason: string };

const skip = (reason: string): Want => ({ kind: 'skip', reason });
const bad = (reason: string): Want => ({ kind: 'malformed', reason });
const MONTHS = 'JanFebMarAprMayJunJulAugSepOctNovDec';
const month = (m: string): number => MONTHS.indexOf(m) / 3;

/** Time of the line: ASA stamp with year, classic stamp (year of NOW, or the one before), else NOW. */
function stamp(line: string): number {
  let m = /^(?:<\d+>)?(\w{3}) (\d\d) (\d{4}) (\d\d):(\d\d):(\d\d)/.exec(line);
  if (m) return Date.UTC(+m[3]!, month(m[1]!), +m[2]!, +m[4]!, +m[5]!, +m[6]!);
  m = /^(?:<\d+>)?(\w{3}) +(\d+) (\d\d):(\d\d):(\d\d) /.exec(line);
  if (m) {
    const t = Date.UTC(2024, month(m[1]!), +m[2]!, +m[3]!, +m[4]!, +m[5]!);
    return t > NOW + DAY ? Date.UTC(2023, month(m[1]!), +m[2]!, +m[3]!, +m[4]!, +m[5]!) : t;
  }
  return NOW;
}

const PROTOCOLS: Record<string, number> = { tcp: 6, udp: 17, icmp: 1, ip: 0 };
const SERVICES: Record<string, number> = {
  ssh: 22,
  telnet: 23,
  bootps: 67,
  'netbios-ns': 137,
  'netbios-dgm': 138,
  snmp: 161,
};
const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

/** IP protocol number of a protocol word of a message (`tcp`, `UDP`, `protocol 47`, `4`), or undefined. */
function protoNumber(word: string): number | undefined {
  const w = word.replace(/^protocol /, '').toLowerCase();
  return /^\d+$/.test(w) ? Number(w) : PROTOCOLS[w];
}

/** A port field: number, port literal, or 'bad'. */
function portOf(text: string | undefined): number | 'bad' | undefined {
  if (text === undefined) return undefined;
  if (/^\d+$/.test(text)) return Number(text) <= 65535 ? Number(text) : 'bad';
  return SERVICES[text] ?? 'bad';
}

/** TCP flag letters of the text after the addresses (` flags SYN ACK on interface X`), or undefined. */
function flagsOf(rest: string): string | undefined {
  const m = /^ flags((?: +\S+)*?)( +on interface.*)?$/.exec(rest);
  if (!m) return undefined;
  const words = m[1]!.trim().split(/ +/).filter(Boolean);
  if (words.length === 0 && m[2] === undefined) return undefined;
  const names = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR'];
  if (!words.every((w) => names.includes(w))) return undefined;
  return [...'FSRPAUEC'].filter((_, i) => words.includes(names[i]!)).join('');
}

interface Fields {
  proto: number | undefined;
  src: string;
  sport?: string;
  dst?: string;
  dport?: string;
  type?: string;
  flags?: string;
  /** The template always carries a destination port (tcp/udp without one is malformed). */
  portRequired: boolean;
}

/** The event (or refusal) for fields a template regex found, by the rules documented in parser.ts. */
function judge(f: Fields, ts: number): Want {
  if (f.proto === undefined) return bad('bad_proto');
  if (!IPV4.test(f.src)) return bad(/^[\d.]+$/.test(f.src) ? 'bad_src' : 'src_not_ip');
  if (f.dst === undefined || f.dst === '') return bad('missing_dst');
  if (!IPV4.test(f.dst) && /^[\d.]+$/.test(f.dst)) return bad('bad_dst');
  const dst = IPV4.test(f.dst) ? f.dst : undefined;
  const base = { ts, src: f.src, dst };
  if (f.proto === 6 || f.proto === 17) {
    const dport = portOf(f.dport);
    const sport = portOf(f.sport);
    if (dport === undefined) {
      if (f.portRequired) return bad('missing_port');
      return { kind: 'event', event: { ...base, proto: 'other', port: f.proto } };
    }
    if (dport === 'bad' || sport === 'bad') return bad('bad_port');
    const proto = f.proto === 6 ? 'tcp' : 'udp';
    return { kind: 'event', event: { ...base, proto, port: dport, sport, flags: f.flags } };
  }
  if (f.proto === 1) {
    if (f.type === undefined) return { kind: 'event', event: { ...base, proto: 'other', port: 1 } };
    return { kind: 'event', event: { ...base, proto: 'icmp', port: Number(f.type) } };
  }
  return { kind: 'event', event: { ...base, proto: 'other', port: f.proto } };
}

/** One regex per message template; `undefined` when the text does not follow it. */
function readMessage(id: number, body: string, ts: number): Want | undefined {
  let m: RegExpExecArray | null;
  switch (id) {
    case 106001:
    case 106015:
    case 106006:
    case 106007: {
      const head = {
        106001: 'Inbound TCP connection denied',
        106015: 'Deny TCP \\(no connection\\)',
        106006: 'Deny inbound UDP',
        106007: 'Deny inbound UDP',
      }[id];
      m = new RegExp(`^${head} from +(.+?)/(\\S+) to ([^/ ]+)/([\\w-]+)(.*)$`).exec(body);
      if (!m) return undefined;
      const tcp = id !== 106006 && id !== 106007;
      const [, src, sport, dst, dport, rest] = m as unknown as string[];
      return judge(
        {
          proto: tcp ? 6 : 17,
          src: src!,
          sport,
          dst,
          dport,
          flags: tcp ? flagsOf(rest!) : undefined,
          portRequired: true,
        },
        ts,
      );
    }
    case 106012:
      m = /^Deny IP from (\S+) to ([^\s,]+)/.exec(body);
      return m ? judge({ proto: 0, src: m[1]!, dst: m[2], portRequired: false }, ts) : undefined;
    case 106021:
      m = /^Deny (\S+) reverse path check from (\S+) to (\S+)/.exec(body);
      return m
        ? judge({ proto: protoNumber(m[1]!), src: m[2]!, dst: m[3], portRequired: false }, ts)
        : undefined;
    case 106010:
    case 106011:
    case 106014:
    case 106023: {
      m = /^Deny (?:inbound )?(?:\(No xlate\) )?(protocol \S+|\S+) src /.exec(body);
      if (!m) return undefined;
      const proto = protoNumber(m[1]!);
      if (proto === undefined) return bad('bad_proto');
      const src = /src (?:[^\s:]+: ?)?([^\s/(]+)(?:\/(\w+))?/.exec(body)!;
      const dst = /dst (?:[^\s:]+:)?([^\s/(]+)(?:\/(\w+))?/.exec(body);
      const type = /\(type (\d+), code \d+\)/.exec(body);
      return judge(
        {
          proto,
          src: src[1]!,
          sport: src[2],
          dst: dst?.[1],
          dport: dst?.[2],
          type: type?.[1],
          portRequired: false,
        },
        ts,
      );
    }
    case 106100: {
      m = /^access-list \S+ (\S+) (\S+) [^\s/]*\/([^\s(]+)\((\w+)\).*? -> [^\s/]*\/([^\s(]+)\((\w+)\)/.exec(
        body,
      );
      if (!m) return bad('bad_message');
      if (m[1] === 'est-allowed') return skip('not_attempt');
      const [, , proto, src, sport, dst, dport] = m as unknown as string[];
      // ICMP: the type is the source value unless it is 0, then the destination value.
      const type = sport !== '0' ? sport : dport;
      return judge(
        { proto: protoNumber(proto!), src: src!, sport, dst, dport, type, portRequired: true },
        ts,
      );
    }
    case 302013:
    case 302015:
    case 302020: {
      if (/^Built outbound /.test(body)) return skip('outbound');
      m =
        /^Built inbound (TCP|UDP) connection \d+ for [^:]+:([^\s/]+)\/(\d+) .*? to [^:]+: ?([^\s/]+)\/(\d+)/.exec(
          body,
        );
      if (m) {
        const [, proto, src, sport, dst, dport] = m as unknown as string[];
        return judge({ proto: protoNumber(proto!), src: src!, sport, dst, dport, portRequired: true }, ts);
      }
      m =
        /^Built inbound ICMP connection for faddr ([^\s/]+)\/\d+.*? laddr ([^\s/]+)\/\d+(?:.* type (\d+) code \d+)?/.exec(
          body,
        );
      return m ? judge({ proto: 1, src: m[1]!, dst: m[2], type: m[3], portRequired: false }, ts) : undefined;
    }
    case 710003:
    case 710005:
      m =
        /^(TCP|UDP) (?:access denied by ACL|request discarded) from +(.+?)\/(\w+) to [^:]+:([^\s/]+)\/([\w-]+)/.exec(
          body,
        );
      return m
        ? judge(
            {
              proto: protoNumber(m[1]!),
              src: m[2]!,
              sport: m[3],
              dst: m[4],
              dport: m[5],
              portRequired: true,
            },
            ts,
          )
        : undefined;
    case 430002:
    case 430003: {
      const kv = new Map(body.split(', ').map((pair) => pair.split(': ') as [string, string]));
      const first = kv.get('FirstPacketSecond');
      const event = judge(
        {
          proto: protoNumber(kv.get('Protocol') ?? ''),
          src: kv.get('SrcIP') ?? '',
          sport: kv.get('SrcPort'),
          dst: kv.get('DstIP'),
          dport: kv.get('DstPort'),
          type: kv.get('ICMPType') === 'Echo Request' ? '8' : undefined,
          portRequired: true,
        },
        first === undefined ? ts : Date.parse(first),
      );
      return event;
    }
    case 106002:
      return skip('outbound');
    default:
      return skip('not_attempt');
  }
}

/** Message texts without an ID, by the start of their template. */
const UNTAGGED: Array<[RegExp, number]> = [
  [/^Inbound TCP connection denied from /, 106001],
  [/^Deny TCP \(no connection\) from /, 106015],
  [/^Deny inbound UDP from /, 106006],
  [/^Deny IP from /, 106012],
  [/^Deny \S+ reverse path check from /, 106021],
  [/^Deny (inbound |protocol \d+ |\S+ src )/, 106023],
  [/^access-list .* -> /, 106100],
  [/^Built (in|out)bound (TCP|UDP|ICMP) connection /, 302013],
  [/^(TCP|UDP) access denied by ACL from /, 710003],
  [/^(TCP|UDP) request discarded from /, 710005],
];
const UNTAGGED_OTHER =
  /^(Built |Teardown |Group [<=]|TunnelGroup <|Tunnel group |Task ran for |No matching connection for ICMP)|^\S+ Accessed URL /;

function reference(line: string): Want {
  const ts = stamp(line);
  let m = /%(?:ASA|PIX|FTD|NGIPS)-\d-(\d{6}):? *(.*)$/.exec(line);
  m ??= /^(?:ASA|PIX|FTD)-\d-(\d{6}):? *(.*)$/.exec(line);
  m ??= /^(?:\d\|[^|]+\|)?(\d{6}): (.*)$/.exec(line);
  if (m) return readMessage(Number(m[1]), m[2]!, ts) ?? bad('bad_message');
  const body = line.trim();
  for (const [re, id] of UNTAGGED) if (re.test(body)) return readMessage(id, body, ts) ?? bad('bad_message');
  return UNTAGGED_OTHER.test(body) ? skip('not_attempt') : skip('not_firewall');
}

/** The parser's result in the reference's shape (undefined fields dropped). */
function shape(r: ParseResult): Want {
  if (r.kind !== 'event') return r;
  return { kind: 'event', event: JSON.parse(JSON.stringify(r.event)) as AttackEvent };
}

describe.skipIf(!present)('cisco-asa parser on real fixtures', () => {
  it('agrees with the reference reading on every line of every file (events, skips and reasons)', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.log'));
    expect(files).toHaveLength(6);
    let total = 0;
    for (const f of files) {
      const p = new CiscoAsaParser({ timezone: 'utc' });
      for (const line of lines(f)) {
        const want = reference(line);
        const got = shape(p.parseLine(line, ctx));
        expect(got, `${f}: ${line}`).toEqual(JSON.parse(JSON.stringify(want)));
        total++;
      }
    }
    expect(total).toBe(367);
  });

  it('counts per (proto, port) and per outcome match the reference in every file', () => {
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.log'))) {
      const count = (keys: string[]): Record<string, number> =>
        keys.reduce<Record<string, number>>((acc, k) => ({ ...acc, [k]: (acc[k] ?? 0) + 1 }), {});
      const want = lines(f).map((l) => {
        const w = reference(l);
        return w.kind === 'event' ? `${w.event.proto}/${w.event.port}` : w.reason;
      });
      expect(count(parseAll(f).map(outcome)), f).toEqual(count(want));
    }
  });

  it('every line is accounted for: events, the known skips, and exactly these malformed lines', () => {
    const malformed: Array<[string, string, string]> = [
      ['wazuh-pix.ini.log', 'from <public IP of 525>/4500', 'src_not_ip'],
      ['wazuh-pix.ini.log', 'Deny inbound UDP from ***/20031 to ***/20031 on', 'src_not_ip'],
      ['wazuh-pix.ini.log', 'udp src outside:192.168.2.1/137', 'missing_dst'],
      ['wazuh-pix.ini.log', 'tcp src inside:10.100.7.43/80 dst', 'missing_dst'],
      ['ossec-docs-pix.rst.log', 'from ***/20031 to ***/20031', 'src_not_ip'],
      ['ossec-docs-pix.rst.log', 'from ***/20031 to ***/20031', 'src_not_ip'],
      ['ossec-docs-pix.rst.log', 'from ***/54481 to ***/1026', 'src_not_ip'],
      ['ossec-docs-pix.rst.log', 'from ***9/20031 to ***/20031', 'src_not_ip'],
      ['ossec-docs-pix.rst.log', 'from ***/20031 to ***/20031', 'src_not_ip'],
      ['ossec-docs-pix.rst.log', 'to 192.168.20/65 flags RST', 'bad_dst'],
      ['wazuh-cisco_asa.ini.log', 'Deny protocol reverse path check', 'bad_proto'],
      ['wazuh-cisco_ftd.ini.log', '106001: Inbound TCP connection denied from 192.168.1.59/port', 'bad_port'],
      ['wazuh-cisco_ftd.ini.log', '106010: Deny inbound protocol src [interface_name', 'bad_proto'],
      ['wazuh-cisco_ftd.ini.log', '106011: Deny inbound (No xlate) string', 'bad_message'],
      ['wazuh-cisco_ftd.ini.log', '106015: Deny TCP (no connection) from 192.168.1.59/port', 'bad_port'],
      ['wazuh-cisco_ftd.ini.log', '106100: access-list acl_ID {permitted | denied', 'bad_message'],
      ['wazuh-cisco_ftd.ini.log', 'Deny protocol reverse path check', 'bad_proto'],
      ['sekoia-cisco-secure-firewall-tests.log', 'SrcPort: 77777', 'bad_port'],
    ];
    const seen: Array<[string, string, string]> = [];
    let all = 0;
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.log'))) {
      const ls = lines(f);
      const rs = parseAll(f);
      all += ls.length;
      rs.forEach((r, i) => {
        const line = ls[i]!;
        if (r.kind === 'malformed') {
          const hit = malformed.find(([mf, text]) => mf === f && line.includes(text));
          expect(hit, `unexpected malformed ${r.reason}: ${line}`).toBeDefined();
          expect(r.reason, line).toBe(hit![2]);
          seen.push(hit!);
        } else if (r.kind === 'skip') {
          expect(['not_attempt', 'outbound'], line).toContain(r.reason);
          if (r.reason === 'outbound') expect(line).toMatch(/Built outbound|-106002: /);
        }
      });
    }
    expect(all).toBe(367);
    expect(seen).toHaveLength(malformed.length);
  });

  it('skips every outbound Built and every 106002 as outbound, teardowns and 733100 as not_attempt', () => {
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.log'))) {
      const ls = lines(f);
      const rs = parseAll(f);
      ls.forEach((l, i) => {
        if (/Built outbound (TCP|UDP|ICMP)|-106002: /.test(l)) expect(rs[i], l).toEqual(skipOf('outbound'));
        if (/30201[46]|302021|733100/.test(l)) expect(rs[i], l).toEqual(skipOf('not_attempt'));
      });
    }
  });

  it.each<[string, string, Partial<AttackEvent> & { ts: number }]>([
    [
      'wazuh-cisco_asa.ini.log',
      'Oct 03 2018 17:34:08: %ASA-4-106023: Deny udp src office:1.1.1.1/3217',
      { ts: Date.UTC(2018, 9, 3, 17, 34, 8), proto: 'udp', port: 15000, src: '1.1.1.1', sport: 3217 },
    ],
    [
      'ossec-docs-pix.rst.log',
      'Built inbound TCP connection 141968 for db:10.0.0.1/60749',
      {
        ts: Date.UTC(2023, 8, 7, 6, 25, 28),
        proto: 'tcp',
        port: 22,
        src: '10.0.0.1',
        sport: 60749,
        dst: '10.0.0.2',
      },
    ],
    [
      'ossec-docs-pix.rst.log',
      'Jan 28 06:17:47 pix-inside %PIX-3-106010: Deny inbound icmp',
      {
        ts: Date.UTC(2024, 0, 28, 6, 17, 47),
        proto: 'icmp',
        port: 8,
        src: '80.181.210.80',
        dst: '10.107.96.229',
      },
    ],
    [
      'ossec-docs-pix.rst.log',
      'Deny protocol 4 src outside:131.119.0.197',
      {
        ts: Date.UTC(2024, 0, 28, 1, 48, 1),
        proto: 'other',
        port: 4,
        src: '131.119.0.197',
        dst: '10.107.16.135',
      },
    ],
    [
      'ossec-docs-pix.rst.log',
      '%PIX-7-710005: UDP request discarded from 0.0.0.0/68 to outside:255.255.255.255/bootps',
      { ts: NOW, proto: 'udp', port: 67, src: '0.0.0.0', sport: 68, dst: '255.255.255.255' },
    ],
    [
      'wazuh-pix.ini.log',
      'from 161.58.238.151/110 to a.b.c.d/3782 flags RST ACK',
      { ts: NOW, proto: 'tcp', port: 3782, src: '161.58.238.151', sport: 110, flags: 'RA' },
    ],
    [
      'wazuh-pix.ini.log',
      '710003: TCP access denied by ACL from 216.39.220.130/54065',
      { ts: NOW, proto: 'tcp', port: 22, src: '216.39.220.130', sport: 54065, dst: '62.192.113.98' },
    ],
    [
      'logstash-firewalls_spec-cisco.log',
      'dst fw111:10.10.10.11(type 8, code 0)',
      { ts: NOW, proto: 'icmp', port: 8, src: '10.10.10.10', dst: '10.10.10.11' },
    ],
    [
      'logstash-firewalls_spec-cisco.log',
      'Deny TCP reverse path check from 192.168.2.2',
      { ts: NOW, proto: 'other', port: 6, src: '192.168.2.2', dst: '10.10.10.10' },
    ],
    [
      'logstash-firewalls_spec-cisco.log',
      'access-list outside-entry permitted tcp outside/10.11.12.13(54726)',
      { ts: NOW, proto: 'tcp', port: 80, src: '10.11.12.13', sport: 54726, dst: '192.168.17.18' },
    ],
    [
      'logstash-firewalls_spec-cisco.log',
      '302020: Built inbound ICMP connection for faddr 10.137.200.251/18425',
      { ts: NOW, proto: 'other', port: 1, src: '10.137.200.251', dst: '10.137.10.10' },
    ],
    [
      'sekoia-cisco-secure-firewall-tests.log',
      '%FTD-2-106001: Inbound TCP connection denied from 1.1.1.1/901',
      { ts: NOW, proto: 'tcp', port: 111, src: '1.1.1.1', sport: 901, dst: '2.2.2.2', flags: 'S' },
    ],
    [
      'sekoia-cisco-secure-firewall-tests.log',
      'flags FIN ACK on interface ACME_interface',
      { ts: NOW, proto: 'tcp', port: 443, src: '2.2.2.2', sport: 52675, dst: '1.1.1.1', flags: 'FA' },
    ],
    [
      'sekoia-cisco-secure-firewall-tests.log',
      '%NGIPS-1-430002: EventPriority: Low',
      { ts: Date.UTC(2021, 3, 30, 11, 31, 19), proto: 'icmp', port: 8, src: '2.2.2.2', dst: '1.1.1.1' },
    ],
    [
      'sekoia-cisco-secure-firewall-tests.log',
      'ConnectionID: 35868',
      {
        ts: Date.UTC(2023, 6, 27, 8, 13, 9),
        proto: 'udp',
        port: 53,
        src: '3.3.3.3',
        sport: 56901,
        dst: '1.1.1.1',
      },
    ],
    [
      'sekoia-cisco-secure-firewall-tests.log',
      'gaddr 1.1.1.1/0 laddr 1.1.1.1/0 (USER) type 8 code 0',
      { ts: NOW, proto: 'icmp', port: 8, src: '2.2.2.2', dst: '1.1.1.1' },
    ],
    [
      'sekoia-cisco-secure-firewall-tests.log',
      '%ASA-6-106012: Deny IP from 1.1.1.1 to 2.2.2.2',
      { ts: NOW, proto: 'other', port: 0, src: '1.1.1.1', dst: '2.2.2.2' },
    ],
  ])('%s: %s', (f, text, want) => {
    const ls = lines(f);
    const i = ls.findIndex((l) => l.includes(text));
    expect(i).toBeGreaterThanOrEqual(0);
    const r = parseAll(f)[i]!;
    expect(r.kind).toBe('event');
    expect(shape(r)).toEqual({ kind: 'event', event: want });
  });

  it('parseCiscoAsaBuffer counts the same as line by line, from bytes', () => {
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.log'))) {
      const rs = parseAll(f);
      const c = parseCiscoAsaBuffer(readFileSync(dir + f), { now: NOW });
      expect(c, f).toEqual({
        lines: rs.length,
        events: events(rs).length,
        skipped: rs.filter((r) => r.kind === 'skip').length,
        malformed: rs.filter((r) => r.kind === 'malformed').length,
      });
    }
  });
});

function skipOf(reason: string): ParseResult {
  return { kind: 'skip', reason } as ParseResult;
}
