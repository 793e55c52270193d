/**
 * The PAN-OS parser against the real files of /work/shared/fixtures/real/paloalto (SOURCES.md says what each is).
 * Expected values come from the lines themselves: a deliberately simple reference reading with regular
 * expressions (and JSON.parse for the JSON form), written here after the rules of parser.ts, and values read off
 * chosen lines by hand.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { AttackEvent } from '../../../core/event.js';
import type { ParseResult } from '../input.js';
import { PaloAltoParser } from './index.js';

const dir = fileURLToPath(new URL('../../../../../shared/fixtures/real/paloalto/', import.meta.url));
const present = existsSync(dir);
if (!present) console.warn(`paloalto fixture tests skipped: ${dir} is absent`);

const NOW = Date.UTC(2024, 5, 1);
const ctx = { now: NOW };
const lines = (f: string): string[] =>
  readFileSync(dir + f, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);
const parseAll = (f: string, zones?: string[]): ParseResult[] => {
  const p = new PaloAltoParser({ timezone: 'utc', inboundZones: zones });
  return lines(f).map((l) => p.parseLine(l, ctx));
};
const canon = (a: string): string => (a.includes(':') ? new URL(`http://[${a}]/`).hostname.slice(1, -1) : a);
/** IPv4 as net/ip.ts reads it (1-3 digits per octet, leading zeros allowed: `00.00.000.00` is 0.0.0.0), or IPv6. */
const isIp = (a: string): boolean =>
  (/^\d{1,3}(\.\d{1,3}){3}$/.test(a) && a.split('.').every((o) => Number(o) <= 255)) ||
  (a.includes(':') && URL.canParse(`http://[${a}]/`));
const canon4 = (a: string): string => (a.includes(':') ? canon(a) : a.split('.').map(Number).join('.'));

type Outcome =
  | { kind: 'event'; event: Omit<AttackEvent, 'flags'> }
  | { kind: 'skip'; reason: string }
  | { kind: 'malformed'; reason: string };

/** What the decision needs, read from any of the three forms. */
interface Rec {
  type: string;
  subtype: string;
  src?: string;
  dst?: string;
  sport?: string;
  dport?: string;
  proto?: string;
  app?: string;
  reason?: string;
  ts: number | 'missing' | 'bad';
}

/** `YYYY/MM/DD HH:MM:SS` or `M/D/YY H:MM` in UTC (the tests run the parser with timezone utc). */
function panTime(t: string | undefined): number | 'missing' | 'bad' {
  if (!t) return 'missing';
  let m = /^(\d{4})\/(\d\d)\/(\d\d) (\d\d):(\d\d):(\d\d)$/.exec(t);
  if (m) {
    const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
    const ts = Date.UTC(y, mo - 1, d, h, mi, s);
    return mo >= 1 && mo <= 12 && d >= 1 && new Date(ts).getUTCDate() === d ? ts : 'bad';
  }
  m = /^(\d{1,2})\/(\d{1,2})\/(\d\d) (\d{1,2}):(\d\d)$/.exec(t);
  if (m) return Date.UTC(2000 + Number(m[3]), Number(m[1]) - 1, Number(m[2]), Number(m[4]), Number(m[5]));
  return 'bad';
}

function readCsv(line: string): Rec | Outcome {
  const rec = /(?:^|\s)(\d+,.*)$/.exec(line)?.[1];
  if (rec === undefined) return { kind: 'skip', reason: 'not_firewall' };
  const f = [...rec.matchAll(/(?:^|,)("(?:[^"]|"")*"|[^,]*)/g)].map((m) => m[1]!.replace(/^"(.*)"$/s, '$1'));
  if (!/^[A-Z]+$/.test(f[3] ?? '')) return { kind: 'skip', reason: 'not_firewall' };
  if (f[3] !== 'TRAFFIC' && f[3] !== 'THREAT') return { kind: 'skip', reason: 'not_attempt' };
  if (f.length < 31) return { kind: 'malformed', reason: 'truncated' };
  const hiRes = f.slice(47).find((v) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(v));
  return {
    type: f[3],
    subtype: f[4]!,
    src: f[7],
    dst: f[8],
    app: f[14],
    sport: f[24],
    dport: f[25],
    proto: f[29],
    reason: f[3] === 'TRAFFIC' ? f[46] : undefined,
    ts: hiRes !== undefined ? Date.parse(hiRes) : panTime(f[6] || f[1]),
  };
}

function readCef(line: string): Rec | Outcome {
  const h = /CEF:\d\|([^|]*)\|[^|]*\|[^|]*\|([^|]*)\|([^|]*)\|[^|]*\|(.*)$/.exec(line)!;
  if (h[1] !== 'Palo Alto Networks') return { kind: 'skip', reason: 'not_firewall' };
  const kv = new Map<string, string>();
  for (const m of h[4]!.matchAll(/([\w.-]+)=(.*?)(?=\s+[\w.-]+=|\s*$)/g))
    if (!kv.has(m[1]!)) kv.set(m[1]!, m[2]!);
  const [type, subtype] = /^[A-Z]+$/.test(h[2]!) ? [h[2]!, h[3]!] : [h[3]!, h[2]!];
  const time = kv.get('start') ?? kv.get('rt');
  return {
    type,
    subtype,
    src: kv.get('src') || kv.get('c6a2'),
    dst: kv.get('dst') || kv.get('c6a3'),
    sport: kv.get('spt'),
    dport: kv.get('dpt'),
    proto: kv.get('proto'),
    app: kv.get('app'),
    reason: kv.get('reason'),
    ts: time === undefined ? 'missing' : Date.parse(`${time} ${kv.get('dtz') === 'UTC' ? 'GMT' : ''}`),
  };
}

function readJson(line: string): Rec | Outcome {
  const type = /"LogType":\s*"(\w+)"/.exec(line)?.[1];
  if (type === undefined) return { kind: 'skip', reason: 'not_firewall' };
  const subtype = /"Sub[tT]ype":\s*"([\w-]+)"/.exec(line)?.[1] ?? '';
  if (
    !(type === 'TRAFFIC' && /^(end|drop|deny)$/.test(subtype)) &&
    !(type === 'THREAT' && /^(scan|flood|packet)$/.test(subtype))
  )
    return { kind: 'skip', reason: 'not_attempt' };
  let j: Record<string, string | number | undefined>;
  try {
    j = JSON.parse(line) as typeof j;
  } catch {
    return { kind: 'malformed', reason: 'bad_json' };
  }
  const s = (v: string | number | undefined): string | undefined => (v === undefined ? undefined : String(v));
  const time = s(j.TimeGeneratedHighResolution ?? j.TimeGenerated ?? j.TimeReceived);
  return {
    type,
    subtype,
    src: s(j.SourceAddress),
    dst: s(j.DestinationAddress),
    sport: s(j.SourcePort),
    dport: s(j.DestinationPort),
    proto: s(j.Protocol),
    app: s(j.Application),
    reason: s(j.SessionEndReason),
    ts: time === undefined ? 'missing' : Date.parse(time),
  };
}

/** A deliberately simple reading of one line after the rules documented in parser.ts. */
function reference(line: string): Outcome {
  const r = line.startsWith('{') ? readJson(line) : line.includes('CEF:') ? readCef(line) : readCsv(line);
  if ('kind' in r) return r;
  const traffic = r.type === 'TRAFFIC' && /^(end|drop|deny)$/.test(r.subtype);
  if (!traffic && !(r.type === 'THREAT' && /^(scan|flood|packet)$/.test(r.subtype)))
    return { kind: 'skip', reason: 'not_attempt' };
  if (!r.src) return { kind: 'malformed', reason: 'missing_src' };
  if (!isIp(r.src)) return { kind: 'malformed', reason: 'bad_src' };
  if (r.dst && !isIp(r.dst)) return { kind: 'malformed', reason: 'bad_dst' };
  const names: Record<string, number> = {
    tcp: 6,
    udp: 17,
    icmp: 1,
    'ipv6-icmp': 58,
    sctp: 132,
    gre: 47,
    esp: 50,
  };
  const n = /^\d+$/.test(r.proto ?? '') ? Number(r.proto) : names[r.proto ?? ''];
  if (n === undefined) return { kind: 'malformed', reason: 'bad_proto' };
  const proto = n === 6 ? 'tcp' : n === 17 ? 'udp' : n === 1 ? 'icmp' : n === 58 ? 'icmp6' : 'other';
  let port = n;
  if (proto === 'tcp' || proto === 'udp') {
    port = Number(r.dport);
    if (
      !/^\d{1,5}$/.test(r.dport ?? '') ||
      port > 65535 ||
      !/^\d{1,5}$/.test(r.sport ?? '0') ||
      Number(r.sport) > 65535
    )
      return { kind: 'malformed', reason: 'bad_port' };
  } else if (proto === 'icmp' || proto === 'icmp6') {
    if (r.app !== 'ping') return { kind: 'skip', reason: 'not_attempt' };
    port = proto === 'icmp' ? 8 : 128;
  }
  if (r.ts === 'bad' || Number.isNaN(r.ts)) return { kind: 'malformed', reason: 'bad_time' };
  if (r.ts === 'missing') return { kind: 'malformed', reason: 'missing_time' };
  const tcpUdp = proto === 'tcp' || proto === 'udp';
  return {
    kind: 'event',
    event: {
      ts: r.ts,
      proto,
      port,
      src: canon4(r.src),
      sport: tcpUdp && r.sport ? Number(r.sport) : undefined,
      dst: r.dst ? canon4(r.dst) : undefined,
      handshake:
        proto === 'tcp' && traffic
          ? r.subtype === 'deny' || r.subtype === 'drop'
            ? false
            : r.reason === 'tcp-fin'
              ? true
              : undefined
          : undefined,
    },
  };
}

const strip = (r: ParseResult): Outcome =>
  r.kind === 'event'
    ? { kind: 'event', event: { ...r.event, flags: undefined } as Omit<AttackEvent, 'flags'> }
    : r;
const json = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

describe.skipIf(!present)('paloalto parser on real fixtures', () => {
  it('agrees with the reference reading on every line of every file', () => {
    const files = readdirSync(dir);
    expect(files.length).toBe(3);
    let total = 0;
    let events = 0;
    for (const f of files) {
      const p = new PaloAltoParser({ timezone: 'utc' });
      for (const line of lines(f)) {
        const got = strip(p.parseLine(line, ctx));
        expect(json(got), `${f}: ${line.slice(0, 200)}`).toEqual(json(reference(line)));
        total++;
        if (got.kind === 'event') events++;
      }
    }
    expect(total).toBe(files.flatMap(lines).length);
    // Events come only from TRAFFIC end/drop/deny records (no zone-protection THREAT in these files).
    const sessions = files
      .flatMap(lines)
      .filter((l) =>
        /(,TRAFFIC,(end|drop|deny),|\|TRAFFIC\|(end|drop|deny)\||"LogType": ?"TRAFFIC".*"Subtype": ?"(end|drop|deny)")/.test(
          l,
        ),
      );
    expect(events).toBeLessThanOrEqual(sessions.length);
    expect(events).toBeGreaterThanOrEqual(7);
  });

  it('sekoia CSV: end records with the session end reason; the High Resolution Timestamp carries the offset', () => {
    const ls = lines('sekoia-paloalto-ngfw-tests.log');
    const rs = parseAll('sekoia-paloalto-ngfw-tests.log');
    const at = (re: RegExp): ParseResult => rs[ls.findIndex((l) => re.test(l))]!;
    // 1,2023/06/16 10:41:44,...,TRAFFIC,end,...,1.2.3.4,5.6.7.8,...,51413,5985,0,0,15,tcp,allow,...,tcp-fin
    expect(at(/^1,2023\/06\/16 10:41:44/)).toEqual({
      kind: 'event',
      event: {
        ts: Date.UTC(2023, 5, 16, 10, 41, 44),
        proto: 'tcp',
        port: 5985,
        src: '1.2.3.4',
        sport: 51413,
        dst: '5.6.7.8',
        flags: undefined,
        handshake: true,
      },
    });
    // Generated 2024/01/03 13:15:29, high resolution 2024-01-03T13:15:30.547+01:00.
    expect(at(/^1,2024\/01\/03 13:15:29/)).toMatchObject({
      kind: 'event',
      event: { ts: Date.UTC(2024, 0, 3, 12, 15, 30, 547), port: 443, sport: 60975 },
    });
    // <14> header, M/D/YY times, source port 130000: refused.
    expect(at(/TRAFFIC,deny,2049/)).toEqual({ kind: 'malformed', reason: 'bad_port' });
    expect(ls.filter((l) => /,TRAFFIC,start,/.test(l)).length).toBe(2);
    ls.forEach((l, i) => {
      if (/,TRAFFIC,start,|"Subtype":"start"/.test(l))
        expect(rs[i], l).toEqual({ kind: 'skip', reason: 'not_attempt' });
      if (/,THREAT,(vulnerability|url|file),|\|THREAT\|/.test(l))
        expect(rs[i], l).toEqual({ kind: 'skip', reason: 'not_attempt' });
    });
  });

  it('sekoia CEF and JSON forms', () => {
    const ls = lines('sekoia-paloalto-ngfw-tests.log');
    const rs = parseAll('sekoia-paloalto-ngfw-tests.log');
    const at = (re: RegExp): ParseResult => rs[ls.findIndex((l) => re.test(l))]!;
    // CEF:0|Palo Alto Networks|LF|2.0|TRAFFIC|end|3|dtz=UTC ... start=Jul 31 2022 12:46:07 src=1.2.3.4 dst=5.6.7.8 ... spt=52066 dpt=443 proto=tcp ... reason=tcp-fin
    expect(at(/rt=Jul 31 2022 12:46:24/)).toEqual({
      kind: 'event',
      event: {
        ts: Date.UTC(2022, 6, 31, 12, 46, 7),
        proto: 'tcp',
        port: 443,
        src: '1.2.3.4',
        sport: 52066,
        dst: '5.6.7.8',
        flags: undefined,
        handshake: true,
      },
    });
    expect(at(/rt=Aug 02 2022 06:42:20/)).toEqual({ kind: 'malformed', reason: 'missing_src' }); // src= empty
    // JSON TRAFFIC end, aged-out: TimeGeneratedHighResolution.
    expect(at(/"SessionID": 17635/)).toMatchObject({
      kind: 'event',
      event: {
        ts: Date.parse('2023-02-03T16:46:07.584Z'),
        proto: 'tcp',
        port: 443,
        sport: 59087,
        handshake: undefined,
      },
    });
  });

  it('wazuh: records cut after the type are truncated; zeroed samples are refused by their first bad field', () => {
    const rs = parseAll('wazuh-paloalto.ini.log');
    const ls = lines('wazuh-paloalto.ini.log');
    ls.forEach((l, i) => {
      if (/,(TRAFFIC|THREAT),$/.test(l)) expect(rs[i], l).toEqual({ kind: 'malformed', reason: 'truncated' });
      if (/,(SYSTEM|CONFIG|OTHERS),/.test(l))
        expect(rs[i], l).toEqual({ kind: 'skip', reason: 'not_attempt' });
      // 00.00.000.00 addresses read as 0.0.0.0, then protocol "xxx".
      if (/,TRAFFIC,(end|drop|deny),0000,/.test(l))
        expect(rs[i], l).toEqual({ kind: 'malformed', reason: 'bad_proto' });
    });
    expect(rs.filter((r) => r.kind === 'event')).toEqual([]);
  });

  it('hub: THREAT vulnerability records belong to sessions TRAFFIC counts', () => {
    expect(parseAll('hub-palo-alto-threat.log')).toEqual([
      { kind: 'skip', reason: 'not_attempt' },
      { kind: 'skip', reason: 'not_attempt' },
    ]);
  });

  it('inboundZones: CSV field 16 and the CEF FromZone label', () => {
    const ls = lines('sekoia-paloalto-ngfw-tests.log');
    const i = ls.findIndex((l) => l.startsWith('1,2024/01/03 13:15:29')); // from zone Z_DMZ_PROXY
    const j = ls.findIndex((l) => l.includes('rt=Jul 31 2022 12:46:24')); // cs4=Trust cs4Label=FromZone
    expect(parseAll('sekoia-paloalto-ngfw-tests.log', ['untrust'])[i]).toEqual({
      kind: 'skip',
      reason: 'outbound',
    });
    expect(parseAll('sekoia-paloalto-ngfw-tests.log', ['Z_DMZ_PROXY'])[i]).toMatchObject({ kind: 'event' });
    expect(parseAll('sekoia-paloalto-ngfw-tests.log', ['untrust'])[j]).toEqual({
      kind: 'skip',
      reason: 'outbound',
    });
    expect(parseAll('sekoia-paloalto-ngfw-tests.log', ['Trust'])[j]).toMatchObject({ kind: 'event' });
  });
});
