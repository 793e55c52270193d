/**
 * The Windows Firewall parser against real pfirewall.log files (/work/shared/fixtures/real/windows-firewall,
 * SOURCES.md says what is odd in each). Expected values come from the files themselves through a deliberately
 * simple reading written here (split on blanks, name the columns after the #Fields header), never from what the
 * parser printed once.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { AttackEvent } from '../../../core/event.js';
import type { ParseResult } from '../input.js';
import { WindowsFirewallParser } from './index.js';

const dir = fileURLToPath(new URL('../../../../../shared/fixtures/real/windows-firewall/', import.meta.url));
const present = existsSync(dir);
if (!present) console.warn(`windows-firewall fixture tests skipped: ${dir} is absent`);

const ctx = { now: Date.UTC(2024, 5, 1) };
const DEFAULT_FIELDS =
  'date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path'.split(
    ' ',
  );
const lines = (f: string): string[] => readFileSync(dir + f, 'utf8').split(/\r?\n/);
const parseAll = (f: string): ParseResult[] => {
  const p = new WindowsFirewallParser({ timezone: 'utc' });
  return lines(f).map((l) => p.parseLine(l, ctx));
};
const events = (rs: ParseResult[]): AttackEvent[] => rs.flatMap((r) => (r.kind === 'event' ? [r.event] : []));
/** RFC 5952 text by an independent implementation: the WHATWG URL serialiser. */
const canon = (a: string): string => (a.includes(':') ? new URL(`http://[${a}]/`).hostname.slice(1, -1) : a);
const outcome = (r: ParseResult): string => (r.kind === 'event' ? 'event' : `${r.kind}:${r.reason}`);

type Want = { outcome: string; event?: Omit<AttackEvent, 'ts'> & { ts: number } };

/** The reference reading of a whole file, header by header. */
function reference(f: string): Want[] {
  let fields = DEFAULT_FIELDS;
  return lines(f).map((line): Want => {
    const t = line.trim();
    if (t === '') return { outcome: 'skip:empty' };
    if (t.startsWith('#')) {
      if (t.startsWith('#Fields:')) fields = t.slice(8).trim().split(/\s+/);
      return { outcome: 'skip:header' };
    }
    const cols = t.split(/\s+/);
    if (cols.length < fields.length) return { outcome: 'malformed:missing_field' };
    if (cols.length > fields.length + 1) return { outcome: 'malformed:extra_fields' };
    const v = Object.fromEntries(fields.map((n, i) => [n, cols[i] ?? '-'])) as Record<string, string>;
    const action = v.action!;
    if (action === 'CLOSE' || action === 'INFO-EVENTS-LOST') return { outcome: 'skip:not_attempt' };
    if (action === 'OPEN' || v.path === 'SEND') return { outcome: 'skip:outbound' };
    const src = canon(v['src-ip']!);
    if (src.startsWith('127.') || src === '::1') return { outcome: 'skip:loopback' };
    const ts = Date.parse(`${v.date}T${v.time}Z`);
    const base = { ts, src, dst: canon(v['dst-ip']!) };
    const proto = v.protocol!;
    if (proto === 'TCP' || proto === 'UDP') {
      const flags =
        proto === 'TCP' && v.tcpflags !== '-'
          ? [...'FSRPAUEC'].filter((l) => v.tcpflags!.includes(l)).join('')
          : undefined;
      return {
        outcome: 'event',
        event: {
          ...base,
          proto: proto === 'TCP' ? 'tcp' : 'udp',
          port: Number(v['dst-port']),
          sport: Number(v['src-port']),
          ...(flags === undefined ? {} : { flags }),
        },
      };
    }
    if (proto === 'ICMP')
      return {
        outcome: 'event',
        event: { ...base, proto: src.includes(':') ? 'icmp6' : 'icmp', port: Number(v.icmptype) },
      };
    return { outcome: 'event', event: { ...base, proto: 'other', port: Number(proto) } };
  });
}

const files = present ? readdirSync(dir) : [];

describe.skipIf(!present)('windows-firewall parser on real fixtures', () => {
  it('has the four files SOURCES.md lists', () => {
    expect(files.sort()).toEqual([
      'betahydri-pfirewall.log',
      'ossec-docs-windows_firewall.rst.log',
      'plaso-windows_firewall.log',
      'wykes-pfirewall.log',
    ]);
  });

  it.each(files)('%s: every line has the outcome and the event of the reference reading', (f) => {
    const want = reference(f);
    const got = parseAll(f);
    expect(got.map(outcome)).toEqual(want.map((w) => w.outcome));
    got.forEach((r, i) => {
      if (r.kind !== 'event') return;
      const e = Object.fromEntries(Object.entries(r.event).filter(([, x]) => x !== undefined));
      expect(e, `${f}:${i + 1}`).toEqual(want[i]!.event);
    });
  });

  it.each(files)('%s: counts per (proto, port) agree with the reference reading', (f) => {
    const key = (e: { proto: string; port: number }): string => `${e.proto}/${e.port}`;
    const count = (ks: string[]): Record<string, number> =>
      ks.reduce<Record<string, number>>((m, k) => ((m[k] = (m[k] ?? 0) + 1), m), {});
    expect(count(events(parseAll(f)).map(key))).toEqual(
      count(reference(f).flatMap((w) => (w.event ? [key(w.event)] : []))),
    );
  });

  it('betahydri (16.8k lines): RECEIVE rows are events, SEND rows outbound, loopback SSDP skipped, IPv6 canonical', () => {
    const ls = lines('betahydri-pfirewall.log');
    const rs = parseAll('betahydri-pfirewall.log');
    expect(ls.length).toBeGreaterThan(16_800);
    const n = (re: RegExp): number => ls.filter((l) => re.test(l)).length;
    const by = (o: string): number => rs.filter((r) => outcome(r) === o).length;
    expect(by('skip:outbound')).toBe(n(/ SEND$/));
    expect(by('skip:loopback')).toBe(n(/^\S+ \S+ \S+ \S+ (127\.\S+|::1) .* RECEIVE$/));
    expect(by('skip:not_attempt')).toBe(n(/ INFO-EVENTS-LOST /));
    expect(by('event')).toBe(n(/ RECEIVE$/) - by('skip:loopback'));
    expect(rs.filter((r) => r.kind === 'malformed')).toHaveLength(0);
    const v6 = events(rs).filter((e) => e.src.includes(':'));
    expect(v6.length).toBeGreaterThan(1000);
    const i = ls.indexOf(
      '2021-06-22 12:25:27 ALLOW ICMP fe80::464e:6dff:fea9:dfca ff02::1 - - 0 - - - - 134 0 - RECEIVE',
    );
    expect(rs[i]).toEqual({
      kind: 'event',
      event: {
        ts: Date.UTC(2021, 5, 22, 12, 25, 27),
        proto: 'icmp6',
        port: 134,
        src: 'fe80::464e:6dff:fea9:dfca',
        dst: 'ff02::1',
      },
    });
    const j = ls.indexOf('2021-06-22 12:20:19 ALLOW 2 192.168.178.1 224.0.0.1 - - 0 - - - - - - - RECEIVE');
    expect(rs[j]).toMatchObject({ kind: 'event', event: { proto: 'other', port: 2, src: '192.168.178.1' } });
    const k = ls.indexOf(
      '2021-06-22 12:20:25 ALLOW TCP 2a01:110:2001:d:fe::1a 2a01:110:20:10::4a9 62187 135 0 - 0 0 0 - - - RECEIVE',
    );
    expect(rs[k]).toEqual({
      kind: 'event',
      event: {
        ts: Date.UTC(2021, 5, 22, 12, 20, 25),
        proto: 'tcp',
        port: 135,
        src: '2a01:110:2001:d:fe::1a',
        sport: 62187,
        dst: '2a01:110:20:10::4a9',
      },
    });
  });

  it('plaso (XP SP2): OPEN outbound, CLOSE and INFO-EVENTS-LOST not attempts, DROP TCP flags and ICMP', () => {
    const ls = lines('plaso-windows_firewall.log');
    const rs = parseAll('plaso-windows_firewall.log');
    const at = (l: string): ParseResult => rs[ls.indexOf(l)]!;
    expect(
      at(
        '2005-04-11 08:06:27 DROP TCP 123.45.78.90 123.156.78.90 80 1774 576 AP 123456789 987654321 12345 - - - RECEIVE',
      ),
    ).toEqual({
      kind: 'event',
      event: {
        ts: Date.UTC(2005, 3, 11, 8, 6, 27),
        proto: 'tcp',
        port: 1774,
        src: '123.45.78.90',
        sport: 80,
        dst: '123.156.78.90',
        flags: 'PA',
      },
    });
    expect(
      at(
        '2005-04-11 08:48:46 DROP TCP 123.45.78.90 123.156.78.90 80 1693 40 FA 2351482979 694744025 64675 - - - RECEIVE',
      ),
    ).toMatchObject({
      event: { flags: 'FA' },
    });
    expect(
      at('2005-04-11 08:08:58 DROP ICMP 123.45.78.90 123.156.78.90 7 7 78 - - - - 8 0 - RECEIVE'),
    ).toEqual({
      kind: 'event',
      event: {
        ts: Date.UTC(2005, 3, 11, 8, 8, 58),
        proto: 'icmp',
        port: 8,
        src: '123.45.78.90',
        dst: '123.156.78.90',
      },
    });
    expect(at('2005-04-11 08:09:29 OPEN TCP 123.45.78.90 123.156.78.90 1606 445 - - - - - - - - -')).toEqual({
      kind: 'skip',
      reason: 'outbound',
    });
    expect(at('2005-04-11 08:52:26 INFO-EVENTS-LOST - - - - - - - - - - - - 59 -')).toEqual({
      kind: 'skip',
      reason: 'not_attempt',
    });
    expect(rs.filter((r) => outcome(r) === 'skip:not_attempt')).toHaveLength(
      ls.filter((l) => /( CLOSE | INFO-EVENTS-LOST )/.test(l)).length,
    );
  });

  it('ossec: the two records glued on one line (no newline between them) are one malformed line', () => {
    const ls = lines('ossec-docs-windows_firewall.rst.log');
    const rs = parseAll('ossec-docs-windows_firewall.rst.log');
    const glued = ls.findIndex((l) => l.split(' ').length > 20 && /-\d{4}-\d\d-\d\d /.test(l));
    expect(glued).toBeGreaterThan(0);
    expect(rs[glued]).toEqual({ kind: 'malformed', reason: 'extra_fields' });
    expect(rs.filter((r) => r.kind === 'malformed')).toHaveLength(1);
    // The DROP TCP with SYN+ACK flags (a late reply from port 445) is still an inbound packet dropped.
    const sa = ls.findIndex((l) => l.includes(' SA '));
    expect(rs[sa]).toMatchObject({
      kind: 'event',
      event: { proto: 'tcp', port: 2459, sport: 445, flags: 'SA' },
    });
  });

  it('wykes: ALLOW/DROP by path, blank lines after the header', () => {
    const ls = lines('wykes-pfirewall.log');
    const rs = parseAll('wykes-pfirewall.log');
    expect(rs.filter((r) => outcome(r) === 'skip:empty')).toHaveLength(
      ls.filter((l) => l.trim() === '').length,
    );
    expect(events(rs)).toHaveLength(ls.filter((l) => l.endsWith(' RECEIVE')).length);
    expect(
      rs[ls.indexOf('2015-07-16 11:35:32 DROP TCP 203.0.113.77 10.40.1.12 51001 22 0 - 0 0 0 - - - RECEIVE')],
    ).toEqual({
      kind: 'event',
      event: {
        ts: Date.UTC(2015, 6, 16, 11, 35, 32),
        proto: 'tcp',
        port: 22,
        src: '203.0.113.77',
        sport: 51001,
        dst: '10.40.1.12',
      },
    });
  });

  it('bytes and strings agree on every line of every file', () => {
    for (const f of files) {
      const p = new WindowsFirewallParser({ timezone: 'utc' });
      const q = new WindowsFirewallParser({ timezone: 'utc' });
      for (const l of lines(f)) {
        const b = Buffer.from(l);
        expect(p.parseBytes(b, 0, b.length, ctx)).toEqual(q.parseLine(l, ctx));
      }
    }
  });
});
