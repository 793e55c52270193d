/**
 * The pf parser against the real files of /work/shared/fixtures/real/pf (SOURCES.md says what each holds: OSSEC
 * and Wazuh samples of OpenBSD pflog via tcpdump, syslog-wrapped and bare). Expected values come from the lines
 * themselves through a deliberately simple reading with regular expressions written here.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { AttackEvent } from '../../../core/event.js';
import type { ParseResult } from '../input.js';
import { PfParser } from './index.js';

const dir = fileURLToPath(new URL('../../../../../shared/fixtures/real/pf/', import.meta.url));
const present = existsSync(dir);
if (!present) console.warn(`pf fixture tests skipped: ${dir} is absent`);

const NOW = Date.UTC(2024, 5, 1); // after every year-less stamp of the files
const ctx = { now: NOW };
const lines = (f: string): string[] =>
  readFileSync(dir + f, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);
const parseAll = (f: string): ParseResult[] => {
  const p = new PfParser({ timezone: 'utc' });
  return lines(f).map((l) => p.parseLine(l, ctx));
};
const outcome = (r: ParseResult): string => (r.kind === 'event' ? 'event' : `${r.kind}:${r.reason}`);

/** `Mmm dd HH:MM:SS[.frac]` in UTC, in 2024. */
function stamp(text: string): number {
  const m = /^(\w{3}) +(\d+) (\d\d):(\d\d):(\d\d)(?:\.(\d+))?$/.exec(text)!;
  const month = 'JanFebMarAprMayJunJulAugSepOctNovDec'.indexOf(m[1]!) / 3;
  const ms = m[6] === undefined ? 0 : Math.floor(Number(`0.${m[6]}`) * 1000);
  return Date.UTC(2024, month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])) + ms;
}

const LINE =
  /^(?:(\w{3} +\d+ \d\d:\d\d:\d\d) \S+ pf: )?(\w{3} +\d+ \d\d:\d\d:\d\d\.\d+) rule \S+ \w+ (in|out) on (\w+): (\S+) > (\S+): +(.*)$/;

/** A simple reading of one line: the outcome, and the event where there is one. */
function reference(line: string): { outcome: string; event?: AttackEvent } {
  const m = LINE.exec(line);
  if (m === null) throw new Error(`reference reading does not know this line: ${line}`);
  const [, header, inner, dirWord, iface, from, to, rest] = m as unknown as string[];
  if (dirWord === 'out') return { outcome: 'skip:outbound' };
  if (/^lo\d*$/.test(iface!)) return { outcome: 'skip:loopback' };
  const addr = (t: string) => /^(\d+\.\d+\.\d+\.\d+)(?:\.(\d+))?$/.exec(t)!;
  const [, src, sport] = addr(from!);
  const [, dst, dport] = addr(to!.replace(/:$/, ''));
  const ts = header === undefined ? stamp(inner!) : stamp(header);
  if (/^udp \d+$/.test(rest!))
    return {
      outcome: 'event',
      event: { ts, proto: 'udp', port: Number(dport), src: src!, sport: Number(sport), dst: dst! },
    };
  if (rest!.startsWith('icmp: ')) {
    const text = rest!.slice(6);
    const type =
      text === 'echo request' ? 8 : text === 'echo reply' ? 0 : / unreachable$/.test(text) ? 3 : -1;
    return { outcome: 'event', event: { ts, proto: 'icmp', port: type, src: src!, dst: dst! } };
  }
  const word = rest!.split(' ')[0]!;
  const beforeOptions = rest!.split('<')[0]!.split(' ');
  const letters = new Set([...word.replace('W', 'C')]);
  if (beforeOptions.includes('ack')) letters.add('A');
  if (beforeOptions.includes('urg')) letters.add('U');
  const flags = [...'FSRPAUEC'].filter((c) => letters.has(c)).join('');
  return {
    outcome: 'event',
    event: { ts, proto: 'tcp', port: Number(dport), src: src!, sport: Number(sport), dst: dst!, flags },
  };
}

describe.skipIf(!present)('pf parser on real fixtures', () => {
  it('accounts for every line of every file as the reference reading does', () => {
    const files = readdirSync(dir);
    expect(files.length).toBeGreaterThanOrEqual(2);
    let events = 0;
    for (const f of files) {
      const p = new PfParser({ timezone: 'utc' });
      for (const line of lines(f)) {
        const want = reference(line);
        const got = p.parseLine(line, ctx);
        expect(outcome(got), `${f}: ${line}`).toBe(want.outcome);
        if (got.kind === 'event') {
          expect(got.event, `${f}: ${line}`).toEqual(want.event);
          events++;
        }
      }
    }
    expect(events).toBe(10);
  });

  it('ossec-docs-pf.rst.log: outcome counts and (proto, port) counts from plain text matching', () => {
    const f = 'ossec-docs-pf.rst.log';
    const ls = lines(f);
    const rs = parseAll(f);
    const count = (o: string) => rs.filter((r) => outcome(r) === o).length;
    expect(ls).toHaveLength(30);
    expect(count('skip:outbound')).toBe(ls.filter((l) => / out on /.test(l)).length);
    expect(count('skip:loopback')).toBe(ls.filter((l) => / in on lo0: /.test(l)).length);
    expect(count('event')).toBe(ls.filter((l) => / in on xl0: /.test(l)).length);
    expect(count('event') + count('skip:outbound') + count('skip:loopback')).toBe(ls.length);
    const keys = rs.flatMap((r) => (r.kind === 'event' ? [`${r.event.proto}/${r.event.port}`] : []));
    expect(keys).toEqual(ls.filter((l) => / in on xl0: .*\.22: /.test(l)).map(() => 'tcp/22'));
  });

  it('ossec-docs-pf.rst.log line 1: a mid-connection ACK into port 22, the syslog header time', () => {
    // "Mar 30 15:55:20 enigma pf: Mar 30 15:53:25.793256 rule 2/(match) pass in on xl0:
    //  205.174.165.231.50425 > 192.168.2.10.22: . ack 2450721 win 73 <...> (DF) [tos 0x10]"
    expect(parseAll('ossec-docs-pf.rst.log')[0]).toEqual({
      kind: 'event',
      event: {
        ts: Date.UTC(2024, 2, 30, 15, 55, 20),
        proto: 'tcp',
        port: 22,
        src: '205.174.165.231',
        sport: 50425,
        dst: '192.168.2.10',
        flags: 'A',
      },
    });
  });

  it('wazuh-0180-openbsd_decoders.xml.log: the wrapped PSH+ACK, then bare lines (lo0, out)', () => {
    const rs = parseAll('wazuh-0180-openbsd_decoders.xml.log');
    // "Mar 30 15:33:26 enigma pf: Mar 30 15:32:33.483712 rule 2/(match) pass in on xl0:
    //  140.211.166.3.6667 > 192.168.2.10.16290: P 7408:7677(269) ack 1773 win 2520 <...> (DF)"
    expect(rs[0]).toEqual({
      kind: 'event',
      event: {
        ts: Date.UTC(2024, 2, 30, 15, 33, 26),
        proto: 'tcp',
        port: 16290,
        src: '140.211.166.3',
        sport: 6667,
        dst: '192.168.2.10',
        flags: 'PA',
      },
    });
    expect(rs.slice(1).map(outcome)).toEqual(['skip:loopback', 'skip:outbound', 'skip:outbound']);
  });

  it('the bare loopback SYN would read as an event on another interface, with its own stamp', () => {
    const [, lo] = lines('wazuh-0180-openbsd_decoders.xml.log');
    const r = new PfParser({ timezone: 'utc' }).parseLine(lo!.replace(' on lo0:', ' on em0:'), ctx);
    expect(r).toEqual({
      kind: 'event',
      event: {
        ts: Date.UTC(2024, 2, 30, 15, 47, 5, 522),
        proto: 'tcp',
        port: 23,
        src: '127.0.0.1',
        sport: 48784,
        dst: '127.0.0.1',
        flags: 'S',
      },
    });
  });
});
