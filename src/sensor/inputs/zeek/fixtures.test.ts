/**
 * The Zeek parser against real conn.log files (/work/shared/fixtures/real/zeek, SOURCES.md says what is odd in
 * each). Expected values come from the files themselves through a deliberately simple reading written here
 * (split on tabs and name the columns after #fields, or JSON.parse), never from what the parser printed once.
 * The btest baselines mask `ts` (XXXXXXXXXX.XXXXXX): they are read as they are (bad_ts) and once more with the
 * mask replaced by a real stamp, so that the rest of each row (ICMPv6, tunnels, unknown_transport) is checked.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { AttackEvent } from '../../../core/event.js';
import type { ParseResult } from '../input.js';
import { ZeekParser } from './index.js';

const dir = fileURLToPath(new URL('../../../../../shared/fixtures/real/zeek/', import.meta.url));
const present = existsSync(dir);
if (!present) console.warn(`zeek fixture tests skipped: ${dir} is absent`);

const ctx = { now: Date.UTC(2024, 5, 1) };
const MASK = 'XXXXXXXXXX.XXXXXX';
const UNMASKED = '1300000000.250000';
const DEFAULT_FIELDS =
  'ts uid id.orig_h id.orig_p id.resp_h id.resp_p proto service duration orig_bytes resp_bytes conn_state local_orig local_resp missed_bytes history orig_pkts orig_ip_bytes resp_pkts resp_ip_bytes tunnel_parents ip_proto'.split(
    ' ',
  );

const lines = (f: string, unmask = false): string[] => {
  const ls = readFileSync(dir + f, 'utf8').split('\n');
  return unmask ? ls.map((l) => l.replaceAll(MASK, UNMASKED)) : ls;
};
const parseAll = (ls: string[]): ParseResult[] => {
  const p = new ZeekParser();
  return ls.map((l) => p.parseLine(l, ctx));
};
const events = (rs: ParseResult[]): AttackEvent[] => rs.flatMap((r) => (r.kind === 'event' ? [r.event] : []));
const canon = (a: string): string => (a.includes(':') ? new URL(`http://[${a}]/`).hostname.slice(1, -1) : a);
const outcome = (r: ParseResult): string => (r.kind === 'event' ? 'event' : `${r.kind}:${r.reason}`);
const clean = (e: AttackEvent): Record<string, unknown> =>
  Object.fromEntries(Object.entries(e).filter(([, x]) => x !== undefined));

type Want = { outcome: string; event?: Record<string, unknown> };

/** Handshake by the rule of handshake.ts, written as regular expressions over the history letters. */
function refHandshake(history: string | undefined, state: string | undefined): boolean | undefined {
  if (history !== undefined) return history.includes('S') ? /S.*h.*[ADF]/.test(history) : undefined;
  if (state === 'SF') return true;
  return ['S0', 'REJ', 'RSTOS0', 'RSTRH', 'SH', 'SHR'].includes(state ?? '') ? false : undefined;
}

/** One row as a name → value map (values undefined when unset) to the outcome it should have. */
function refRow(v: Record<string, string | number | boolean | undefined>): Want {
  const isTrue = (x: unknown): boolean => x === true || x === 'T';
  if (isTrue(v.local_orig) && !isTrue(v.local_resp)) return { outcome: 'skip:outbound' };
  const ts = String(v.ts);
  if (!/^\d+(\.\d+)?$/.test(ts)) return { outcome: 'malformed:bad_ts' };
  const [secs, frac = ''] = ts.split('.');
  const src = canon(String(v['id.orig_h']));
  const base = {
    ts: Number(secs) * 1000 + Number(frac.padEnd(3, '0').slice(0, 3)),
    src,
    dst: canon(String(v['id.resp_h'])),
  };
  const origP = Number(v['id.orig_p']);
  const respP = Number(v['id.resp_p']);
  switch (v.proto) {
    case 'icmp':
      return {
        outcome: 'event',
        event: { ...base, proto: src.includes(':') ? 'icmp6' : 'icmp', port: origP },
      };
    case 'unknown_transport':
      return { outcome: 'event', event: { ...base, proto: 'other', port: Number(v.ip_proto) } };
    default: {
      if (origP > 65535 || respP > 65535) return { outcome: 'malformed:bad_port' };
      const h =
        v.proto === 'tcp'
          ? refHandshake(v.history as string | undefined, v.conn_state as string | undefined)
          : undefined;
      return {
        outcome: 'event',
        event: {
          ...base,
          proto: v.proto,
          port: respP,
          sport: origP,
          ...(h === undefined ? {} : { handshake: h }),
        },
      };
    }
  }
}

/** The reference reading of a whole file. */
function reference(ls: string[]): Want[] {
  let fields: string[] | null = null;
  let conn = true;
  return ls.map((line): Want => {
    if (line.trim() === '') return { outcome: 'skip:empty' };
    if (line.startsWith('#')) {
      const [name, ...rest] = line.split('\t');
      if (name === '#fields') fields = rest;
      if (name === '#path') conn = rest[0] === 'conn';
      return { outcome: 'skip:header' };
    }
    if (line.startsWith('{')) {
      let o: Record<string, string | number | boolean>;
      try {
        o = JSON.parse(line) as typeof o;
      } catch {
        return { outcome: 'malformed:bad_json' };
      }
      if ((o._path ?? 'conn') !== 'conn' || o.conn_state === undefined)
        return { outcome: 'skip:not_attempt' };
      return refRow(o);
    }
    if (!conn) return { outcome: 'skip:not_attempt' };
    const cols = line.split('\t');
    const names = fields ?? (cols.length >= 20 ? DEFAULT_FIELDS : null);
    if (names === null || cols.length < names.length - (fields === null ? 2 : 0))
      return { outcome: 'malformed:missing_field' };
    const v = Object.fromEntries(
      names.map((n, i) => [n, cols[i] === '-' || cols[i] === '(empty)' ? undefined : cols[i]]),
    );
    return refRow(v);
  });
}

const files = present ? readdirSync(dir) : [];

describe.skipIf(!present)('zeek parser on real fixtures', () => {
  it('has the eleven files SOURCES.md lists', () => {
    expect(files).toHaveLength(11);
  });

  it.each(files)('%s: every line has the outcome and the event of the reference reading', (f) => {
    for (const unmask of [false, true]) {
      const ls = lines(f, unmask);
      const want = reference(ls);
      const got = parseAll(ls);
      expect(got.map(outcome), f).toEqual(want.map((w) => w.outcome));
      got.forEach((r, i) => {
        if (r.kind === 'event') expect(clean(r.event), `${f}:${i + 1}`).toEqual(want[i]!.event);
      });
    }
  });

  it.each(files)('%s: counts per (proto, port) agree with the reference reading', (f) => {
    const ls = lines(f, true);
    const key = (e: { proto?: unknown; port?: unknown }): string => `${String(e.proto)}/${String(e.port)}`;
    const count = (ks: string[]): Record<string, number> =>
      ks.reduce<Record<string, number>>((m, k) => ((m[k] = (m[k] ?? 0) + 1), m), {});
    expect(count(events(parseAll(ls)).map(key))).toEqual(
      count(reference(ls).flatMap((w) => (w.event ? [key(w.event)] : []))),
    );
  });

  it('honeypot (SSH brute force, three header blocks): ShR is a half-open scan, ShADadFf a completed session', () => {
    const ls = lines('honeypotai-ssh-bruteforce-do-zeek-conn.log');
    const rs = parseAll(ls);
    expect(rs.filter((r) => outcome(r) === 'skip:header')).toHaveLength(
      ls.filter((l) => l.startsWith('#')).length,
    );
    const first = ls.findIndex((l) => l.startsWith('1704559287.953114'));
    expect(rs[first]).toEqual({
      kind: 'event',
      event: {
        ts: 1704559287953,
        proto: 'tcp',
        port: 2222,
        src: '138.197.148.152',
        sport: 45139,
        dst: '172.31.5.68',
        handshake: false,
      },
    });
    const sessions = ls.filter((l) => l.split('\t')[15] === 'ShADadFf').length;
    expect(events(rs).filter((e) => e.handshake === true).length).toBeGreaterThanOrEqual(sessions);
  });

  it('rita missing_host (an Internet-facing hour): _node_name column first, REJ "Sr" scans, outbound DNS skipped', () => {
    const ls = lines('rita-missing_host-2024-04-21-conn.07-00-00-08-00-00.log');
    const rs = parseAll(ls);
    const i = ls.findIndex((l) => l.includes('\t1713682798.290854\t'));
    expect(rs[i]).toEqual({
      kind: 'event',
      event: {
        ts: 1713682798290,
        proto: 'tcp',
        port: 17998,
        src: '198.74.58.148',
        sport: 39416,
        dst: '64.225.56.201',
        handshake: false,
      },
    });
    const out = ls.filter((l) => /\tT\tF\t/.test(l)).length; // local_orig T, local_resp F
    expect(rs.filter((r) => outcome(r) === 'skip:outbound')).toHaveLength(out);
    const rej = ls.filter((l) => /\tREJ\t/.test(l)).length;
    expect(events(rs).filter((e) => e.handshake === false).length).toBeGreaterThanOrEqual(rej);
    expect(rs.filter((r) => r.kind === 'malformed')).toHaveLength(0);
  });

  it('rita proxy: ICMPv6 router solicitations are icmp6 with the type as port', () => {
    const ls = lines('rita-proxy-conn.log');
    const rs = parseAll(ls);
    const i = ls.findIndex((l) => l.startsWith('1672844485.675033\t'));
    expect(rs[i]).toEqual({
      kind: 'event',
      event: {
        ts: 1672844485675,
        proto: 'icmp6',
        port: 133,
        src: 'fe80::7809:d6ff:fee3:ff67',
        dst: 'ff02::2',
      },
    });
  });

  it('rita truncated JSON: orig_p 93145 is a bad port, the cut last line bad JSON', () => {
    const ls = lines('rita-truncated-conn_json.log');
    expect(parseAll(ls).map(outcome)).toEqual(['event', 'event', 'malformed:bad_port', 'malformed:bad_json']);
    expect(parseAll(ls)[0]).toEqual({
      kind: 'event',
      event: {
        ts: 1704738946055,
        proto: 'udp',
        port: 123,
        src: '10.50.200.10',
        sport: 5545,
        dst: '10.50.200.13',
      },
    });
  });

  it('rita JSON with all fields: every row is local_orig true, local_resp false: outbound', () => {
    const ls = lines('rita-json_with_all_fields-conn.log').filter((l) => l !== '');
    expect(parseAll(ls).every((r) => outcome(r) === 'skip:outbound')).toBe(true);
    // The same rows seen from the other side are attempts, from JSON numbers and booleans.
    const flipped = ls.map((l) => l.replace('"local_orig": true', '"local_orig": false'));
    const evs = events(parseAll(flipped));
    expect(evs).toHaveLength(ls.length);
    const o = JSON.parse(ls[0]!) as Record<string, number | string>;
    expect(evs[0]).toMatchObject({
      ts: Math.floor(Number(o.ts) * 1000),
      src: o['id.orig_h'],
      port: o['id.resp_p'],
      handshake: true,
    });
  });

  it('btest baselines: masked stamps are bad_ts; unmasked, unknown_transport rows become other/ip_proto', () => {
    const f = 'zeek-core.cisco-fabric-path-conn.log';
    const masked = parseAll(lines(f));
    expect(masked.filter((r) => outcome(r) === 'malformed:bad_ts')).toHaveLength(
      lines(f).filter((l) => l.startsWith(MASK)).length,
    );
    const evs = events(parseAll(lines(f, true)));
    expect(new Set(evs.filter((e) => e.proto === 'other').map((e) => e.port))).toEqual(new Set([99, 132]));
    expect(evs.filter((e) => e.proto === 'tcp').every((e) => e.handshake === false && e.port === 48879)).toBe(
      true,
    );
    const ayiya = events(parseAll(lines('zeek-core.tunnels.ayiya-conn.log', true)));
    expect(ayiya.some((e) => e.proto === 'icmp6')).toBe(true);
  });

  it('supervisor worker log: no header and 6 columns (a zeek-cut projection) is missing_field', () => {
    const ls = lines('zeek-supervisor.config-cluster-pcap-zeek.worker.conn.log').filter((l) => l !== '');
    const rs = parseAll(ls);
    expect(rs[0]).toEqual({ kind: 'skip', reason: 'header' });
    expect(rs.slice(1).every((r) => outcome(r) === 'malformed:missing_field')).toBe(true);
  });

  it('zeek-cut logs: the old 20-column layout, unset local_orig, (empty) tunnel_parents', () => {
    const ls = lines('zeek-zeek-cut-logs-conn.log');
    const evs = events(parseAll(ls));
    expect(evs).toHaveLength(ls.filter((l) => /^\d/.test(l)).length);
    expect(evs[0]).toEqual({
      ts: 1329843175736,
      proto: 'tcp',
      port: 56666,
      src: '141.142.220.235',
      sport: 37604,
      dst: '199.233.217.249',
      handshake: true,
    });
  });
});
