/**
 * The generic inputs against real files of other formats, read through a field map as a user would configure
 * them: Zeek conn.log as JSON (jsonl) and as TSV (csv), Suricata EVE (jsonl with `match`). Expected values come
 * from the files through JSON.parse / split('\t') written here, never from what the parser printed once.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { AttackEvent } from '../../../core/event.js';
import type { ParseResult } from '../input.js';
import { CsvParser, csvOptionsSchema, JsonlParser, jsonlOptionsSchema } from './index.js';

const real = fileURLToPath(new URL('../../../../../shared/fixtures/real/', import.meta.url));
const zeekDir = `${real}zeek/`;
const suricataDir = `${real}suricata/`;
const zeekPresent = existsSync(zeekDir);
const suricataPresent = existsSync(suricataDir);
if (!zeekPresent) console.warn(`generic fixture tests on Zeek files skipped: ${zeekDir} is absent`);
if (!suricataPresent)
  console.warn(`generic fixture tests on Suricata files skipped: ${suricataDir} is absent`);

const ctx = { now: Date.UTC(2024, 5, 1) };
const lines = (path: string): string[] => {
  const ls = readFileSync(path, 'utf8').split('\n');
  return ls.at(-1) === '' ? ls.slice(0, -1) : ls;
};
const outcome = (r: ParseResult): string => (r.kind === 'event' ? 'event' : `${r.kind}:${r.reason}`);
const ZEEK_FIELDS = {
  ts: 'ts',
  src: 'id.orig_h',
  port: 'id.resp_p',
  proto: 'proto',
  sport: 'id.orig_p',
  dst: 'id.resp_h',
};

/** Epoch seconds text with a fraction to ms (truncated), by string arithmetic. */
const epochMs = (text: string): number => {
  const [s, f = ''] = text.split('.');
  return Number(s) * 1000 + Number((f + '000').slice(0, 3));
};

/** The event a Zeek conn record gives through ZEEK_FIELDS. */
function zeekEvent(r: Record<string, string>): AttackEvent {
  const proto =
    r.proto === 'icmp' && r['id.orig_h']!.includes(':') ? 'icmp6' : (r.proto as AttackEvent['proto']);
  const ports = proto === 'tcp' || proto === 'udp';
  return {
    ts: epochMs(r.ts!),
    proto,
    port: Number(r['id.resp_p']),
    src: r['id.orig_h']!,
    sport: ports ? Number(r['id.orig_p']) : undefined,
    dst: r['id.resp_h'],
  };
}

describe.skipIf(!zeekPresent)('jsonl on Zeek JSON conn.log', () => {
  const parser = () => new JsonlParser(jsonlOptionsSchema.parse({ fields: ZEEK_FIELDS }), 'utc');

  it('rita-json_with_all_fields: every record is its event', () => {
    const ls = lines(`${zeekDir}rita-json_with_all_fields-conn.log`);
    const p = parser();
    expect(ls).toHaveLength(29);
    for (const l of ls) {
      // The epoch text as written (JSON.parse would round the float): taken from the line by a regex.
      const o = JSON.parse(l) as Record<string, unknown>;
      const rec = Object.fromEntries(Object.entries(o).map(([k, v]) => [k, String(v)]));
      rec.ts = /"ts": ?([\d.]+)/.exec(l)![1]!;
      expect(p.parseLine(l, ctx), l).toEqual({ kind: 'event', event: zeekEvent(rec) });
    }
    const perProto = (proto: string): number => ls.filter((l) => l.includes(`"proto": "${proto}"`)).length;
    const evs = ls.map((l) => p.parseLine(l, ctx)).flatMap((r) => (r.kind === 'event' ? [r.event] : []));
    expect(evs.filter((e) => e.proto === 'tcp')).toHaveLength(perProto('tcp'));
    expect(evs.filter((e) => e.proto === 'udp')).toHaveLength(perProto('udp'));
  });

  it('rita-truncated: the invalid orig_p 93145 is bad_sport, the cut last line bad_json', () => {
    const ls = lines(`${zeekDir}rita-truncated-conn_json.log`);
    const p = parser();
    const want = ls.map((l) => {
      if (!l.trimEnd().endsWith('}')) return 'malformed:bad_json';
      return Number(/"id\.orig_p":(\d+)/.exec(l)![1]) > 65535 ? 'malformed:bad_sport' : 'event';
    });
    expect(ls.map((l) => outcome(p.parseLine(l, ctx)))).toEqual(want);
    expect(want).toEqual(['event', 'event', 'malformed:bad_sport', 'malformed:bad_json']);
    expect(p.parseLine(ls[1]!, ctx)).toEqual({
      kind: 'event',
      event: {
        ts: 1_704_738_946_171,
        proto: 'udp',
        port: 24,
        src: '10.50.200.11',
        sport: 62387,
        dst: '10.50.200.14',
      },
    });
  });
});

describe.skipIf(!zeekPresent)('csv on Zeek TSV conn.log', () => {
  const parser = () =>
    new CsvParser(csvOptionsSchema.parse({ fields: ZEEK_FIELDS, delimiter: '\t', header: true }), 'utc');

  /** The reference reading: the #fields line names the columns; '-' is unset. */
  function reference(ls: string[]): string[] {
    let names: string[] = [];
    return ls.map((l) => {
      if (l === '') return 'skip:empty';
      if (l.startsWith('#')) {
        if (l.startsWith('#fields\t')) names = l.split('\t').slice(1);
        return 'skip:header';
      }
      const cells = l.split('\t');
      const rec = Object.fromEntries(names.map((n, i) => [n, cells[i]!]));
      return JSON.stringify(zeekEvent(rec));
    });
  }

  it.each(['zeek-zeek-cut-logs-conn.log', 'rita-missing_host-2024-04-21-conn.07-00-00-08-00-00.log'])(
    '%s: every line accounted for as the reference reading says',
    (f) => {
      const ls = lines(zeekDir + f);
      const p = parser();
      const got = ls.map((l) => {
        const r = p.parseLine(l, ctx);
        return r.kind === 'event' ? JSON.stringify(r.event) : outcome(r);
      });
      expect(got).toEqual(reference(ls));
    },
  );

  it('rita-missing_host: counts per (proto, port) from the columns, the extra _node_name column first', () => {
    const ls = lines(`${zeekDir}rita-missing_host-2024-04-21-conn.07-00-00-08-00-00.log`);
    const want = new Map<string, number>();
    for (const l of ls) {
      if (l.startsWith('#') || l === '') continue;
      const c = l.split('\t');
      const proto = c[7] === 'icmp' && c[3]!.includes(':') ? 'icmp6' : c[7]; // Zeek writes icmp for ICMPv6 too
      const k = `${proto}/${c[6]}`;
      want.set(k, (want.get(k) ?? 0) + 1);
    }
    const p = parser();
    const got = new Map<string, number>();
    for (const l of ls) {
      const r = p.parseLine(l, ctx);
      if (r.kind === 'event')
        got.set(`${r.event.proto}/${r.event.port}`, (got.get(`${r.event.proto}/${r.event.port}`) ?? 0) + 1);
    }
    expect(got).toEqual(want);
    expect(got.get('icmp6/134')).toBe(2); // router advertisements from IPv6 sources
    expect([...got.values()].reduce((a, b) => a + b)).toBe(4179);
    // The first data row, written out from its text.
    const first = ls.find((l) => l.startsWith('worker-eth0-1\t'))!;
    expect(first.split('\t').slice(1, 8)).toEqual([
      '1713682798.290854',
      'Cpzg4P10IwORGHzdw1',
      '198.74.58.148',
      '39416',
      '64.225.56.201',
      '17998',
      'tcp',
    ]);
    expect(p.parseLine(first, ctx)).toEqual({
      kind: 'event',
      event: {
        ts: 1_713_682_798_290,
        proto: 'tcp',
        port: 17998,
        src: '198.74.58.148',
        sport: 39416,
        dst: '64.225.56.201',
      },
    });
  });
});

describe.skipIf(!suricataPresent)('jsonl on Suricata EVE with match', () => {
  it('hub-suricata-logs-evelog: alert and flow records are events, stats records not_attempt', () => {
    const p = new JsonlParser(
      jsonlOptionsSchema.parse({
        fields: {
          ts: 'timestamp',
          src: 'src_ip',
          port: 'dest_port',
          proto: 'proto',
          sport: 'src_port',
          dst: 'dest_ip',
        },
        match: { event_type: ['alert', 'flow'] },
      }),
      'utc',
    );
    const ls = lines(`${suricataDir}hub-suricata-logs-evelog.log`);
    for (const l of ls) {
      const o = JSON.parse(l) as Record<string, string | number>;
      const got = p.parseLine(l, ctx);
      if (o.event_type !== 'alert' && o.event_type !== 'flow') {
        expect(got, l).toEqual({ kind: 'skip', reason: 'not_attempt' });
        continue;
      }
      const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)\.(\d{3})\d*([+-])(\d\d)(\d\d)$/.exec(
        o.timestamp as string,
      )!;
      const n = (i: number): number => Number(m[i]);
      const off = (m[8] === '-' ? -1 : 1) * (n(9) * 60 + n(10));
      expect(got, l).toEqual({
        kind: 'event',
        event: {
          ts: Date.UTC(n(1), n(2) - 1, n(3), n(4), n(5), n(6), n(7)) - off * 60_000,
          proto: (o.proto as string).toLowerCase(),
          port: o.dest_port,
          src: o.src_ip,
          sport: o.src_port,
          dst: o.dest_ip,
        },
      });
    }
    expect(ls.map((l) => outcome(p.parseLine(l, ctx))).filter((o) => o === 'event')).toHaveLength(6);
  });
});
