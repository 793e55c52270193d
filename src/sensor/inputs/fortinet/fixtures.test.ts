/**
 * The FortiGate parser against the real files of /work/shared/fixtures/real/fortinet (SOURCES.md says what each
 * is). Expected values come from the lines themselves: a deliberately simple reference reading with regular
 * expressions, written here after the rules of parser.ts, and values read off chosen lines by hand.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { AttackEvent } from '../../../core/event.js';
import type { ParseResult } from '../input.js';
import { FortinetParser } from './index.js';

const dir = fileURLToPath(new URL('../../../../../shared/fixtures/real/fortinet/', import.meta.url));
const present = existsSync(dir);
if (!present) console.warn(`fortinet fixture tests skipped: ${dir} is absent`);

const NOW = Date.UTC(2024, 5, 1);
const ctx = { now: NOW };
const lines = (f: string): string[] =>
  readFileSync(dir + f, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);
const parseAll = (f: string): ParseResult[] => {
  const p = new FortinetParser({ timezone: 'utc' });
  return lines(f).map((l) => p.parseLine(l, ctx));
};
const canon = (a: string): string => (a.includes(':') ? new URL(`http://[${a}]/`).hostname.slice(1, -1) : a);
const isIp = (a: string | undefined): boolean =>
  a !== undefined &&
  (/^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/.test(a) ||
    (a.includes(':') && URL.canParse(`http://[${a}]/`)));

type Outcome =
  | { kind: 'event'; event: Omit<AttackEvent, 'flags'> }
  | { kind: 'skip'; reason: string }
  | { kind: 'malformed'; reason: string };

/** The pairs of a line, first occurrence of each key; CEF keys without their Fortinet prefix. */
function pairs(line: string): { kv: Map<string, string>; cef: string[] | null } {
  const kv = new Map<string, string>();
  const header =
    /(?:CEF:|^)(\d)\|((?:[^|]|\\\|)*)\|((?:[^|]|\\\|)*)\|[^|]*\|([^|]*)\|([^|]*)\|[^|]*\|(.*)$/.exec(line);
  if (header) {
    for (const m of header[6]!.matchAll(/([\w.]+)=(.*?)(?=\s+[\w.]+=|\s*$)/g)) {
      const key = m[1]!.replace(/^(FTNTFGT|FortinetFortiGate|ad\.)/, '');
      if (!kv.has(key)) kv.set(key, m[2]!.replace(/^"(.*)"$/, '$1'));
    }
    return { kv, cef: header.slice(1, 6) };
  }
  const comma = /^[^=]*=(?:"[^"]*"|[^\s,"]*),/.test(line);
  const re = comma
    ? /(?:^|[\s,])([\w.-]+)=(?:"([^"]*)"|([^,"]*))/g
    : /(?:^|\s)([\w.-]+)=(?:"([^"]*)"|(\S*))/g;
  for (const m of line.matchAll(re)) if (!kv.has(m[1]!)) kv.set(m[1]!, m[2] ?? m[3]!);
  return { kv, cef: null };
}

function referenceTime(kv: Map<string, string>): number | 'missing' | 'bad' {
  const ev = kv.get('eventtime');
  if (ev !== undefined && /^\d{1,19}$/.test(ev)) {
    const n = ev.length;
    return n <= 11 ? Number(ev) * 1000 : n <= 14 ? Number(ev) : Number(ev.slice(0, n <= 17 ? n - 3 : n - 6));
  }
  const tz = /^[+-]\d{4}$/.exec(kv.get('tz') ?? '')
    ? `${kv.get('tz')!.slice(0, 3)}:${kv.get('tz')!.slice(3)}`
    : 'Z';
  const date = kv.get('date');
  const time = kv.get('time');
  if (date !== undefined && time !== undefined) {
    if (!/^\d{4}-\d\d-\d\d$/.test(date) || !/^\d\d:\d\d:\d\d$/.test(time)) return 'bad';
    return Date.parse(`${date}T${time}${tz}`);
  }
  const start = kv.get('start') ?? kv.get('rt');
  if (start !== undefined) return Date.parse(`${start} ${tz === 'Z' ? 'GMT' : `GMT${tz.replace(':', '')}`}`);
  return 'missing';
}

/** A deliberately simple reading of one line after the rules documented in parser.ts. */
function reference(line: string): Outcome {
  const { kv, cef } = pairs(line);
  if (cef !== null && cef[1] !== 'Fortinet') return { kind: 'skip', reason: 'not_firewall' };
  const cat = (kv.get('cat') ?? /^(\w+):(\S+)/.exec(cef?.[4] ?? '')?.[0] ?? '').split(':');
  const type = cef ? cat[0] : kv.get('type');
  const subtype = kv.get('subtype') ?? (cef ? cat[1] : undefined);
  if (!type || !(cef || kv.has('logid') || kv.has('log_id') || subtype !== undefined))
    return { kind: 'skip', reason: 'not_firewall' };
  const action = kv.get('act') ?? kv.get('action') ?? kv.get('status');
  const anomaly = type === 'anomaly' || (type === 'utm' && subtype === 'anomaly');
  if (!(type === 'traffic' && action !== 'start') && !anomaly) return { kind: 'skip', reason: 'not_attempt' };

  const srcRole = kv.get('srcintfrole');
  const srcIntf = kv.get('srcintf') ?? kv.get('deviceInboundInterface');
  const outbound =
    srcRole === 'lan' ||
    srcRole === 'dmz' ||
    (srcRole !== 'wan' &&
      ((subtype === 'local' &&
        !(kv.get('policytype') ?? '').startsWith('local-in') &&
        (srcIntf?.startsWith('unknown') || srcIntf === kv.get('vd'))) ||
        kv.get('dstintfrole') === 'wan'));
  if (outbound) return { kind: 'skip', reason: 'outbound' };

  const src = kv.get('srcip') ?? kv.get('src');
  const dst = kv.get('dstip') ?? kv.get('dst');
  if (!src) return { kind: 'malformed', reason: 'missing_src' };
  if (!isIp(src)) return { kind: 'malformed', reason: 'bad_src' };
  if (dst && !isIp(dst)) return { kind: 'malformed', reason: 'bad_dst' };
  const protoNum = Number(kv.get('proto'));
  const proto =
    protoNum === 6
      ? 'tcp'
      : protoNum === 17
        ? 'udp'
        : protoNum === 1
          ? 'icmp'
          : protoNum === 58
            ? 'icmp6'
            : 'other';
  let port = protoNum;
  const sport = kv.get('srcport') ?? kv.get('src_port') ?? kv.get('spt');
  if (proto === 'tcp' || proto === 'udp') {
    const dport = kv.get('dstport') ?? kv.get('dst_port') ?? kv.get('dpt');
    if (dport === undefined)
      return anomaly
        ? { kind: 'skip', reason: 'not_attempt' }
        : { kind: 'malformed', reason: 'missing_port' };
    port = Number(dport);
  } else if (proto === 'icmp' || proto === 'icmp6') {
    const hex = kv.get('icmptype');
    const svc = /^icmp6?\/(\d+)/.exec(kv.get('service') ?? '') ?? /^icmp6?\/(\d+)/.exec(kv.get('app') ?? '');
    const old = /^(\d+)\/icmp$/.exec(kv.get('service') ?? '');
    if (hex !== undefined) port = parseInt(hex, 16);
    else if (svc) port = Number(svc[1]);
    else if (old) port = Number(old[1]);
    else if (/^ping$/i.test(kv.get('service') ?? '')) port = proto === 'icmp' ? 8 : 128;
    else
      return anomaly
        ? { kind: 'skip', reason: 'not_attempt' }
        : { kind: 'malformed', reason: 'missing_icmp_type' };
  }
  const ts = referenceTime(kv);
  if (ts === 'bad') return { kind: 'malformed', reason: 'bad_time' };
  if (ts === 'missing') return { kind: 'malformed', reason: 'missing_time' };
  const tcpUdp = proto === 'tcp' || proto === 'udp';
  return {
    kind: 'event',
    event: {
      ts,
      proto,
      port,
      src: canon(src),
      sport: tcpUdp && sport !== undefined ? Number(sport) : undefined,
      dst: dst ? canon(dst) : undefined,
      handshake:
        proto === 'tcp' && !anomaly
          ? action === 'deny'
            ? false
            : action === 'close'
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

describe.skipIf(!present)('fortinet parser on real fixtures', () => {
  it('agrees with the reference reading on every line of every file', () => {
    const files = readdirSync(dir);
    expect(files.length).toBe(3);
    const counts = new Map<string, number>();
    for (const f of files) {
      const p = new FortinetParser({ timezone: 'utc' });
      for (const line of lines(f)) {
        const got = strip(p.parseLine(line, ctx));
        expect(json(got), `${f}: ${line}`).toEqual(json(reference(line)));
        const key = got.kind === 'event' ? 'event' : got.reason;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    }
    // Every line is accounted for; the traffic and anomaly records are the events, outbound or malformed ones.
    const all = files.flatMap(lines);
    expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(all.length);
    const attemptTypes = all.filter((l) =>
      /(?:^|[\s,])type="?(traffic|anomaly)|cat=(traffic|anomaly|utm:anomaly)|\|(traffic|utm:anomaly|anomaly):|subtype="?anomaly/.test(
        l,
      ),
    ).length;
    const decided = (counts.get('event') ?? 0) + (counts.get('outbound') ?? 0);
    const malformed = [...counts].filter(
      ([k]) => !['event', 'outbound', 'not_attempt', 'not_firewall'].includes(k),
    );
    expect(decided + malformed.reduce((a, [, n]) => a + n, 0)).toBeLessThanOrEqual(attemptTypes);
    expect(counts.get('not_firewall') ?? 0).toBe(0); // every line of these files is a Fortinet record
  });

  it('wazuh: traffic without roles is inbound; lan to wan is outbound; DoS anomalies count', () => {
    const rs = parseAll('wazuh-fortigate.ini.log');
    const ls = lines('wazuh-fortigate.ini.log');
    const at = (needle: string): ParseResult => rs[ls.findIndex((l) => l.includes(needle))]!;
    // date=2016-06-16 time=10:19:23 ... srcip=7.3.8.5 srcport=57727 srcintf="internal1" dstip=7.8.9.81 dstport=80 ... proto=6 action=deny
    expect(at('sessionid=181876')).toEqual({
      kind: 'event',
      event: {
        ts: Date.UTC(2016, 5, 16, 10, 19, 23),
        proto: 'tcp',
        port: 80,
        src: '7.3.8.5',
        sport: 57727,
        dst: '7.8.9.81',
        flags: undefined,
        handshake: false,
      },
    });
    // eventtime=1557773104815101919 (ns) wins over date/time; action="close" means a finished TCP session.
    expect(at('sessionid=359260 proto=6 action="close"')).toMatchObject({
      kind: 'event',
      event: { ts: 1557773104815, port: 80, src: '10.1.100.11', handshake: true },
    });
    expect(at('sessionid=4414 proto=6 action="client-rst"')).toEqual({ kind: 'skip', reason: 'outbound' });
    expect(at('attack="tcp_syn_flood"')).toMatchObject({
      kind: 'event',
      event: {
        proto: 'tcp',
        port: 2960,
        src: '10.10.10.35',
        sport: 32835,
        ts: Date.UTC(2016, 2, 22, 19, 20, 46),
      },
    });
    expect(at('attack="IP.Bad.Header"')).toEqual({ kind: 'skip', reason: 'not_attempt' });
    expect(at('attack="icmp_flood"')).toMatchObject({ kind: 'event', event: { proto: 'icmp', port: 8 } });
    expect(at('attack="HTTP.Unknown.Tunnelling"')).toEqual({ kind: 'skip', reason: 'not_attempt' }); // IPS on a session
    // FortiOS 4 lines whose `time=10: 13:03` is broken: the one without ports says so first, the others bad_time.
    const old = ls.flatMap((l, i) => (/ time=\d\d: /.test(l) ? [rs[i]] : []));
    expect(old).toEqual([
      { kind: 'malformed', reason: 'missing_port' },
      { kind: 'malformed', reason: 'bad_time' },
      { kind: 'malformed', reason: 'bad_time' },
      { kind: 'malformed', reason: 'bad_time' },
      { kind: 'malformed', reason: 'bad_time' },
    ]);
  });

  it('sekoia: comma-separated = space-separated, CEF traffic, anonymised addresses, records without a time', () => {
    const ls = lines('sekoia-fortigate-tests.log');
    const rs = parseAll('sekoia-fortigate-tests.log');
    const idx = (re: RegExp): number => ls.findIndex((l) => re.test(l));
    const comma = idx(/^date=2018-07-26,time=16:51:36/);
    const space = idx(/^date=2018-07-26 time=16:51:36/);
    expect(rs[comma]).toEqual(rs[space]);
    expect(rs[space]).toMatchObject({
      kind: 'event',
      event: { ts: 1532616695000, proto: 'tcp', port: 20, src: '1.1.1.1', sport: 10016, dst: '192.0.2.1' },
    });
    // CEF local-in ICMP from port1: type from app=icmp/8/0, time from FortinetFortiGateeventtime=1602663098.
    expect(rs[idx(/traffic:local accept/)]).toMatchObject({
      kind: 'event',
      event: { ts: 1602663098000, proto: 'icmp', port: 8, src: '1.1.1.1', dst: '192.0.2.1' },
    });
    // CEF forward from a wan interface: FTNTFGTsrcintfrole=wan.
    expect(rs[idx(/traffic:forward dns/)]).toMatchObject({
      kind: 'event',
      event: { ts: 1662381825920, proto: 'udp', port: 53, src: '172.16.222.150', sport: 49956 },
    });
    expect(rs[idx(/src=hostname shost=example/)]).toEqual({ kind: 'malformed', reason: 'bad_src' });
    expect(rs[idx(/subtype=slb_http/)]).toEqual({ kind: 'malformed', reason: 'missing_time' });
    expect(rs[idx(/anomaly:anomaly clear_ session/)]).toEqual({ kind: 'malformed', reason: 'missing_time' });
    // IPv4 addresses damaged by anonymisation, on a LAN interface: the direction is decided first.
    expect(rs[idx(/srcip=00192\.0\.2\.100/)]).toEqual({ kind: 'skip', reason: 'outbound' });
    // Lines that start with a space and carry no date use eventtime.
    expect(rs[idx(/^ time=14:22:37/)]).toMatchObject({
      kind: 'event',
      event: { ts: 1602591758311, port: 8 },
    });
  });

  it('hub: SSL VPN login failures are events, not attempts', () => {
    expect(
      parseAll('hub-fortinet-vpn-bf.log').every((r) => r.kind === 'skip' && r.reason === 'not_attempt'),
    ).toBe(true);
  });
});
