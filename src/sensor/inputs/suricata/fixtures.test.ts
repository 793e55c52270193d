/**
 * The Suricata EVE parser against real eve.json lines (/work/shared/fixtures/real/suricata, SOURCES.md says
 * what is odd in each). Expected values come from the files themselves through a deliberately simple reading
 * written here (JSON.parse and the rules of parser.ts restated plainly), never from what the parser printed once.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { AttackEvent } from '../../../core/event.js';
import type { ParseResult } from '../input.js';
import { SuricataParser } from './index.js';
import type { SuricataEventType } from './index.js';

const dir = fileURLToPath(new URL('../../../../../shared/fixtures/real/suricata/', import.meta.url));
const present = existsSync(dir);
if (!present) console.warn(`suricata fixture tests skipped: ${dir} is absent`);

const ctx = { now: Date.UTC(2024, 5, 1) };
const ALL: SuricataEventType[] = ['flow', 'alert', 'drop'];
const lines = (f: string): string[] => readFileSync(dir + f, 'utf8').split('\n');
const parseAll = (ls: string[], eventTypes?: SuricataEventType[]): ParseResult[] => {
  const p = new SuricataParser({ timezone: 'utc', eventTypes });
  return ls.map((l) => p.parseLine(l, ctx));
};
const events = (rs: ParseResult[]): AttackEvent[] => rs.flatMap((r) => (r.kind === 'event' ? [r.event] : []));
const canon = (a: string): string => (a.includes(':') ? new URL(`http://[${a}]/`).hostname.slice(1, -1) : a);
const outcome = (r: ParseResult): string => (r.kind === 'event' ? 'event' : `${r.kind}:${r.reason}`);
const clean = (e: AttackEvent): Record<string, unknown> =>
  Object.fromEntries(Object.entries(e).filter(([, x]) => x !== undefined));

/** `2022-07-12T06:22:33.415742+0000` → ms, by Date.parse on a form it accepts. */
function eveTime(s: string): number {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d{1,3})?\d*([+-]\d\d):?(\d\d)$/.exec(s)!;
  return Date.parse(`${m[1]}${m[2] ?? ''}${m[3]}:${m[4]}`);
}
const letters = (bits: number): string => [...'FSRPAUEC'].filter((_, i) => (bits >> i) & 1).join('');

type Eve = Record<string, unknown> & {
  flow?: Record<string, unknown>;
  tcp?: Record<string, unknown>;
  drop?: Record<string, unknown>;
};
type Want = { outcome: string; event?: Record<string, unknown> };

function refHandshake(tcp: Record<string, unknown> | undefined): boolean | undefined {
  if (tcp === undefined) return undefined;
  const st = tcp.state as string | undefined;
  if (
    ['established', 'fin_wait1', 'fin_wait2', 'closing', 'time_wait', 'close_wait', 'last_ack'].includes(
      st ?? '',
    )
  )
    return true;
  if (['none', 'syn_sent', 'syn_recv'].includes(st ?? '')) return false;
  if (typeof tcp.tcp_flags_ts !== 'string' || typeof tcp.tcp_flags_tc !== 'string') return undefined;
  const ts = parseInt(tcp.tcp_flags_ts, 16);
  const tc = parseInt(tcp.tcp_flags_tc, 16);
  return (ts & 0x12) === 0x12 && (tc & 0x12) === 0x12;
}

/** The reference reading of one line. */
function reference(line: string, types: readonly string[]): Want {
  const t = line.trim();
  if (t === '') return { outcome: 'skip:empty' };
  if (/^["}\]]/.test(t) || t === '{' || t === '[') return { outcome: 'malformed:multiline_json' };
  const at = t.indexOf('{');
  if (at < 0) return { outcome: 'skip:not_firewall' };
  let o: Eve;
  try {
    o = JSON.parse(t.slice(at)) as Eve;
  } catch {
    return { outcome: at === 0 || t.includes('"event_type"') ? 'malformed:bad_json' : 'skip:not_firewall' };
  }
  if (o.event_type === undefined)
    return { outcome: o.src_ip === undefined ? 'skip:not_firewall' : 'malformed:missing_event_type' };
  const type = o.event_type as string;
  if (!types.includes(type)) return { outcome: 'skip:not_attempt' };
  type Tuple = [string, string, number | undefined, number | undefined];
  let [src, dst, sport, dport] = [o.src_ip, o.dest_ip, o.src_port, o.dest_port] as Tuple;
  if (type !== 'flow' && typeof o.flow?.src_ip === 'string') {
    [src, dst, sport, dport] = [o.flow.src_ip, o.flow.dest_ip, o.flow.src_port, o.flow.dest_port] as Tuple;
  } else if (type !== 'flow' && o.direction === 'to_client') {
    [src, dst, sport, dport] = [dst, src, dport, sport];
  }
  const ts = eveTime(
    type === 'flow' && typeof o.flow?.start === 'string' ? o.flow.start : (o.timestamp as string),
  );
  const s = canon(src);
  if (s.startsWith('127.') || s === '::1') return { outcome: 'skip:loopback' };
  const base = { ts, src: s, dst: canon(dst) };
  const proto = String(o.proto);
  if (proto === 'ICMP' || proto === 'IPv6-ICMP')
    return {
      outcome: 'event',
      event: { ...base, proto: proto === 'ICMP' ? 'icmp' : 'icmp6', port: o.icmp_type },
    };
  if (proto !== 'TCP' && proto !== 'UDP') throw new Error(`no such protocol in the fixtures: ${proto}`);
  const e: Record<string, unknown> = { ...base, proto: proto.toLowerCase(), port: dport, sport };
  if (proto === 'TCP' && type === 'flow') {
    if (typeof o.tcp?.tcp_flags_ts === 'string') e.flags = letters(parseInt(o.tcp.tcp_flags_ts, 16));
    const h = refHandshake(o.tcp);
    if (h !== undefined) e.handshake = h;
  }
  if (proto === 'TCP' && type === 'drop') {
    e.flags = letters(
      ['fin', 'syn', 'rst', 'psh', 'ack', 'urg'].reduce(
        (m, k, i) => (o.drop?.[k] === true ? m | (1 << i) : m),
        0,
      ),
    );
  }
  return { outcome: 'event', event: e };
}

const files = present ? readdirSync(dir) : [];

describe.skipIf(!present)('suricata parser on real fixtures', () => {
  it('has the nine files SOURCES.md lists', () => {
    expect(files).toHaveLength(9);
  });

  it.each(files)(
    '%s: every line has the outcome and the event of the reference reading (flows, then all types)',
    (f) => {
      for (const types of [['flow'], ALL] as const) {
        const ls = lines(f);
        const got = parseAll(ls, [...types]);
        const want = ls.map((l) => reference(l, types));
        expect(got.map(outcome), `${f} ${types.join(',')}`).toEqual(want.map((w) => w.outcome));
        got.forEach((r, i) => {
          if (r.kind === 'event') expect(clean(r.event), `${f}:${i + 1}`).toEqual(want[i]!.event);
        });
      }
    },
  );

  it('counts per (proto, port) over all files agree with the reference reading, for each choice of types', () => {
    const key = (e: { proto?: unknown; port?: unknown }): string => `${String(e.proto)}/${String(e.port)}`;
    const count = (ks: string[]): Record<string, number> =>
      ks.reduce<Record<string, number>>((m, k) => ((m[k] = (m[k] ?? 0) + 1), m), {});
    for (const types of [['flow'], ['alert'], ['drop'], ALL] as SuricataEventType[][]) {
      const all = files.flatMap(lines);
      expect(count(events(parseAll(all, types)).map(key))).toEqual(
        count(all.map((l) => reference(l, types)).flatMap((w) => (w.event ? [key(w.event)] : []))),
      );
    }
  });

  it('by default only flow records are attempts: alerts and drops repeat a flow', () => {
    const all = files.flatMap(lines);
    const records = all.filter((l) => l.trim().startsWith('{'));
    const flows = records.filter((l) => /"event_type": ?"flow"/.test(l));
    expect(flows.length).toBeGreaterThan(2);
    expect(events(parseAll(all))).toHaveLength(flows.length);
    const alerts = records.filter((l) => /"event_type": ?"alert"/.test(l));
    expect(events(parseAll(all, ['alert']))).toHaveLength(alerts.length);
  });

  it('hub evelog: the flow of a SYN answered by RST-ACK (flags S R from the client), not a handshake', () => {
    const ls = lines('hub-suricata-logs-evelog.log');
    const rs = parseAll(ls);
    const i = ls.findIndex((l) => l.startsWith('{"timestamp":"2022-07-11T05:52:18.378379+0000"'));
    expect(rs[i]).toEqual({
      kind: 'event',
      event: {
        ts: Date.UTC(2022, 6, 11, 5, 48, 21, 714), // flow.start, not the record's timestamp
        proto: 'tcp',
        port: 2352,
        src: '1.2.3.6',
        sport: 56814,
        dst: '127.0.0.1',
        flags: 'SR',
        handshake: false,
      },
    });
    expect(rs.filter((r) => outcome(r) === 'skip:not_attempt')).toHaveLength(
      ls.filter((l) => /"event_type":"(stats|alert)"/.test(l)).length,
    );
  });

  it('sekoia: a finished TLS flow is a handshake; an ICMPv6 flow has the type as port; odd records', () => {
    const ls = lines('sekoia-suricata-tests.log');
    const rs = parseAll(ls);
    const tls = ls.findIndex((l) => l.includes('"flow_id":1820734905123445'));
    expect(rs[tls]).toEqual({
      kind: 'event',
      event: {
        ts: Date.UTC(2024, 0, 9, 15, 7, 44, 721),
        proto: 'tcp',
        port: 443,
        src: '10.0.4.4',
        sport: 49250,
        dst: '1.2.3.4',
        flags: 'FSPA',
        handshake: true,
      },
    });
    const icmp6 = ls.findIndex((l) => l.includes('"IPv6-ICMP"'));
    expect(rs[icmp6]).toEqual({
      kind: 'event',
      event: {
        ts: Date.UTC(2020, 9, 14, 10, 2, 46, 245),
        proto: 'icmp6',
        port: 133,
        src: 'fe80::fc16:3eff:fe01:3dd2',
        dst: 'ff02::2',
      },
    });
    expect(rs[ls.findIndex((l) => l.startsWith('{"host":"probe"'))]).toEqual({
      kind: 'skip',
      reason: 'not_firewall',
    });
    // An alert reshaped by a pipeline that dropped event_type: it looks like EVE but lacks the field.
    const noType = ls.findIndex((l) => l.includes('"flow_id":1303642123387833'));
    expect(rs[noType]).toEqual({ kind: 'malformed', reason: 'missing_event_type' });
    // Leading blanks before the object are fine.
    expect(ls.filter((l) => l.startsWith(' {')).length).toBeGreaterThan(0);
  });

  it('alerts when counted: the packet tuple of the alert (no flow tuple in these Suricata versions)', () => {
    const ls = lines('hub-suricata-eve-detect.log');
    const evs = events(parseAll(ls, ['alert']));
    expect(evs.map((e) => [e.src, e.sport, e.port])).toEqual(
      ls
        .filter((l) => l !== '')
        .map((l) => {
          const o = JSON.parse(l) as { src_ip: string; src_port: number; dest_port: number };
          return [o.src_ip, o.src_port, o.dest_port];
        }),
    );
  });

  it.each([
    [
      'telegraf-v2-flow.json',
      ['flow'],
      {
        proto: 'tcp',
        port: 443,
        src: '192.168.0.121',
        sport: 50212,
        dst: '142.251.130.3',
        flags: '',
        handshake: false,
      },
    ],
    [
      'telegraf-v2-alert.json',
      ['alert'],
      { proto: 'tcp', port: 80, src: '10.0.0.5', sport: 18715, dst: '179.60.192.3' },
    ],
    [
      'telegraf-v2-drop.json',
      ['drop'],
      { proto: 'tcp', port: 443, src: '192.168.0.110', sport: 46016, dst: '54.192.18.125', flags: 'FPA' },
    ],
  ] as const)(
    '%s: pretty-printed lines are multiline_json; the same object on one line is an event',
    (f, types, want) => {
      const ls = lines(f);
      const rs = parseAll(ls, [...types]);
      expect(
        rs.filter((r) => r.kind === 'malformed').every((r) => outcome(r) === 'malformed:multiline_json'),
      ).toBe(true);
      expect(rs.filter((r) => r.kind === 'malformed')).toHaveLength(ls.filter((l) => l.trim() !== '').length);
      const one = JSON.stringify(JSON.parse(ls.join('\n')));
      const o = JSON.parse(one) as { timestamp: string; flow?: { start?: string } };
      const stamp = types[0] === 'flow' && o.flow?.start !== undefined ? o.flow.start : o.timestamp;
      const r = new SuricataParser({ timezone: 'utc', eventTypes: [...types] }).parseLine(one, ctx);
      expect(r.kind === 'event' ? clean(r.event) : r).toEqual({ ts: eveTime(stamp), ...want });
    },
  );

  it('telegraf-v2-dns.json and the fileinfo record are never attempts', () => {
    const dns = JSON.stringify(JSON.parse(lines('telegraf-v2-dns.json').join('\n')));
    expect(new SuricataParser({ eventTypes: ALL }).parseLine(dns, ctx)).toEqual({
      kind: 'skip',
      reason: 'not_attempt',
    });
    expect(parseAll(lines('suricata-verify-output-eve-fileinfo-eve.json'), ALL)[0]).toEqual({
      kind: 'skip',
      reason: 'not_attempt',
    });
  });

  it('bytes and strings agree on every line of every file', () => {
    for (const f of files) {
      const p = new SuricataParser({ eventTypes: ALL });
      const q = new SuricataParser({ eventTypes: ALL });
      for (const l of lines(f)) {
        const b = Buffer.from(l);
        expect(p.parseBytes(b, 0, b.length, ctx)).toEqual(q.parseLine(l, ctx));
      }
    }
  });
});
