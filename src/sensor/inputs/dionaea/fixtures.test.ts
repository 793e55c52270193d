/**
 * The dionaea parser against every real file of /work/shared/fixtures/real/dionaea (SOURCES.md: a log_json file
 * of a lab scan against many services). Expected values come from JSON.parse of each line, written here.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { AttackEvent } from '../../../core/event.js';
import { DionaeaParser } from './index.js';

const dir = fileURLToPath(new URL('../../../../../shared/fixtures/real/dionaea/', import.meta.url));
const present = existsSync(dir);
if (!present) console.warn(`dionaea fixture tests skipped: ${dir} is absent`);

const ctx = { now: Date.UTC(2024, 5, 1) };
const lines = (f: string): string[] =>
  readFileSync(dir + f, 'utf8')
    .split('\n')
    .slice(0, -1);

interface Record {
  connection: { protocol: string; transport: string; type: string };
  src_ip: string;
  src_port: number;
  dst_ip: string;
  dst_port: number;
  timestamp: string;
}

/** `YYYY-MM-DDTHH:MM:SS[.ffffff]` without a zone, as UTC, fraction truncated to ms. */
function utcMs(stamp: string): number {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?$/.exec(stamp)!;
  const n = (i: number): number => Number(m[i]);
  return Date.UTC(n(1), n(2) - 1, n(3), n(4), n(5), n(6), Number(((m[7] ?? '') + '000').slice(0, 3)));
}

/** The reference reading: blank lines are empty, accepted TCP connections are events. */
function reference(line: string): { outcome: string; event?: AttackEvent } {
  if (line.trim() === '') return { outcome: 'skip:empty' };
  const o = JSON.parse(line) as Record;
  if (o.connection.type !== 'accept') return { outcome: 'skip:not_attempt' };
  return {
    outcome: 'event',
    event: {
      ts: utcMs(o.timestamp),
      proto: o.connection.transport === 'udp' ? 'udp' : 'tcp',
      port: o.dst_port,
      src: o.src_ip,
      sport: o.src_port,
      dst: o.dst_ip,
      handshake: true,
    },
  };
}

describe.skipIf(!present)('dionaea parser on real fixtures', () => {
  it('accounts for every line of every file as the reference reading does', () => {
    const files = readdirSync(dir);
    expect(files).toEqual(['dionaea-fork-dionaea.json']);
    for (const f of files) {
      const p = new DionaeaParser();
      for (const line of lines(f)) {
        const want = reference(line);
        const got = p.parseLine(line, ctx);
        expect(got.kind === 'event' ? 'event' : `${got.kind}:${got.reason}`, line).toBe(want.outcome);
        if (got.kind === 'event') expect(got.event, line).toEqual(want.event);
      }
    }
  });

  it('counts per (proto, port) equal counts of "dst_port": n in the text, per service', () => {
    const f = 'dionaea-fork-dionaea.json';
    const text = readFileSync(dir + f, 'utf8');
    const want = new Map<string, number>();
    for (const m of text.matchAll(
      /"transport": "(\w+)", "type": "accept"\}, "dst_ip": "[^"]+", "dst_port": (\d+)/g,
    ))
      want.set(`${m[1]}/${m[2]}`, (want.get(`${m[1]}/${m[2]}`) ?? 0) + 1);
    const p = new DionaeaParser();
    const got = new Map<string, number>();
    for (const l of lines(f)) {
      const r = p.parseLine(l, ctx);
      if (r.kind === 'event')
        got.set(`${r.event.proto}/${r.event.port}`, (got.get(`${r.event.proto}/${r.event.port}`) ?? 0) + 1);
    }
    expect(got).toEqual(want);
    expect(got.get('tcp/81')).toBe(676); // the httpd scan
    expect([...got.values()].reduce((a, b) => a + b)).toBe(lines(f).filter((l) => l !== '').length);
    expect(lines(f).filter((l) => l === '')).toHaveLength(3); // the blank lines near the end are `empty`
  });

  it('chosen lines give exactly these events (records are written at close, so out of time order)', () => {
    const ls = lines('dionaea-fork-dionaea.json');
    const p = new DionaeaParser();
    expect(p.parseLine(ls[0]!, ctx)).toEqual({
      kind: 'event',
      event: {
        ts: Date.UTC(2024, 4, 17, 7, 5, 23, 517),
        proto: 'tcp',
        port: 81,
        src: '192.168.144.1',
        sport: 42830,
        dst: '192.168.144.2',
        handshake: true,
      },
    });
    // A mysqld record with credentials{} after the connection fields.
    expect(p.parseLine(ls[703]!, ctx)).toMatchObject({
      event: { port: 3306, sport: 33776, ts: Date.UTC(2024, 4, 17, 7, 15, 47, 580) },
    });
    // The ftpd record with nested ftp.commands lists.
    const ftp = ls.find((l) => l.includes('"src_port": 29439'))!;
    expect(p.parseLine(ftp, ctx)).toEqual({
      kind: 'event',
      event: {
        ts: Date.UTC(2024, 4, 17, 10, 32, 55, 266),
        proto: 'tcp',
        port: 21,
        src: '20.1.1.50',
        sport: 29439,
        dst: '172.16.130.69',
        handshake: true,
      },
    });
    const ts = ls
      .filter((l) => l !== '')
      .map((l) => (p.parseLine(l, ctx) as { event: AttackEvent }).event.ts);
    expect(ts.some((t, i) => i > 0 && t < ts[i - 1]!)).toBe(true);
  });

  it('the configured zone does not apply: dionaea writes UTC', () => {
    const [line] = lines('dionaea-fork-dionaea.json');
    expect(new DionaeaParser().parseLine(line!, ctx)).toEqual(new DionaeaParser().parseLine(line!, ctx));
  });
});
