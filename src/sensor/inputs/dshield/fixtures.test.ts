/**
 * The DShield parser against the real /var/log/dshield.log files of /work/shared/fixtures/real/dshield (from
 * honeypot-ai example reports; SOURCES.md: epoch stamps, two spaces before DSHIELDINPUT, an AWS honeypot).
 * Expected values come from the lines through a deliberately simple reading with regular expressions written here.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { AttackEvent } from '../../../core/event.js';
import type { ParseResult } from '../input.js';
import { DshieldParser } from './index.js';

const dir = fileURLToPath(new URL('../../../../../shared/fixtures/real/dshield/', import.meta.url));
const present = existsSync(dir);
if (!present) console.warn(`dshield fixture tests skipped: ${dir} is absent`);

const ctx = { now: Date.UTC(2024, 5, 1) };
const lines = (f: string): string[] =>
  readFileSync(dir + f, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);
const parseAll = (f: string): ParseResult[] => {
  const p = new DshieldParser({ timezone: 'utc' });
  return lines(f).map((l) => p.parseLine(l, ctx));
};
const events = (rs: ParseResult[]): AttackEvent[] => rs.flatMap((r) => (r.kind === 'event' ? [r.event] : []));

const LINE =
  /^(\d{10}) \S+ kernel:\[ *[\d.]+\] +DSHIELDINPUT IN=eth0 OUT= MAC=\S+ SRC=(\S+) DST=(\S+) .*?PROTO=(TCP|UDP) SPT=(\d+) DPT=(\d+) (.*)$/;
const WORDS = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR'];

function reference(line: string): AttackEvent {
  const m = LINE.exec(line);
  if (m === null) throw new Error(`reference reading does not know this line: ${line}`);
  const [, epoch, src, dst, proto, spt, dpt, rest] = m as unknown as string[];
  const words = new Set(rest!.split(' '));
  return {
    ts: Number(epoch) * 1000,
    proto: proto === 'TCP' ? 'tcp' : 'udp',
    port: Number(dpt),
    src: src!,
    sport: Number(spt),
    dst: dst!,
    flags: proto === 'TCP' ? [...'FSRPAUEC'].filter((_, i) => words.has(WORDS[i]!)).join('') : undefined,
  };
}

describe.skipIf(!present)('dshield parser on real fixtures', () => {
  it('every line of every file is the event the reference reading gives', () => {
    const files = readdirSync(dir);
    expect(files.length).toBeGreaterThanOrEqual(4);
    let n = 0;
    for (const f of files) {
      const p = new DshieldParser({ timezone: 'utc' });
      for (const line of lines(f)) {
        expect(p.parseLine(line, ctx), `${f}: ${line}`).toEqual({ kind: 'event', event: reference(line) });
        n++;
      }
    }
    expect(n).toBe(43);
  });

  it.each([
    'honeypotai-freepbx-dshield.log',
    'honeypotai-botnet-de-jp-dshield.log',
    'honeypotai-log4shell-pl-dshield.log',
    'honeypotai-ssh-bruteforce-do-dshield.log',
  ])('%s: counts per (proto, port) as plain text matching counts them', (f) => {
    const text = readFileSync(dir + f, 'utf8');
    const want = new Map<string, number>();
    for (const m of text.matchAll(/PROTO=(\w+) SPT=\d+ DPT=(\d+)/g)) {
      const k = `${m[1]!.toLowerCase()}/${m[2]}`;
      want.set(k, (want.get(k) ?? 0) + 1);
    }
    const got = new Map<string, number>();
    for (const e of events(parseAll(f)))
      got.set(`${e.proto}/${e.port}`, (got.get(`${e.proto}/${e.port}`) ?? 0) + 1);
    expect(got).toEqual(want);
  });

  it('log4shell file: DPT=0 is a valid port; the last line is the UDP probe of SNMP', () => {
    const rs = parseAll('honeypotai-log4shell-pl-dshield.log');
    // "1706794879 BigDshield kernel:[   85.240100]  DSHIELDINPUT IN=eth0 ... SRC=95.214.53.99 DST=172.31.5.68
    //  ... PROTO=TCP SPT=56336 DPT=0 WINDOW=65535 RES=0x00 SYN URGP=0"
    expect(rs[2]).toEqual({
      kind: 'event',
      event: {
        ts: 1706794879000,
        proto: 'tcp',
        port: 0,
        src: '95.214.53.99',
        sport: 56336,
        dst: '172.31.5.68',
        flags: 'S',
      },
    });
    // "1707111167 BigDshield kernel:[57256.680816] ... PROTO=UDP SPT=35622 DPT=161 LEN=42"
    expect(rs.at(-1)).toEqual({
      kind: 'event',
      event: {
        ts: 1707111167000,
        proto: 'udp',
        port: 161,
        src: '95.214.53.99',
        sport: 35622,
        dst: '172.31.5.68',
      },
    });
  });

  it('ssh-bruteforce file: both attempts on 2222 from one source, at the epoch seconds of the line', () => {
    const evs = events(parseAll('honeypotai-ssh-bruteforce-do-dshield.log'));
    expect(evs.map((e) => [e.ts, e.src, e.port, e.flags])).toEqual([
      [1704559287000, '138.197.148.152', 2222, 'S'],
      [1704667417000, '138.197.148.152', 2222, 'S'],
    ]);
  });
});
