/**
 * The cowrie parsers against every real file of /work/shared/fixtures/real/cowrie (SOURCES.md says what is odd in
 * each). Expected values come from the lines themselves (JSON.parse, regular expressions written here) and from
 * the fail2ban file's own `# failJSON:` annotations, never from what the parser printed once.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { AttackEvent } from '../../../core/event.js';
import type { ParseResult } from '../input.js';
import { CowrieJsonParser, CowrieTextParser } from './index.js';

const dir = fileURLToPath(new URL('../../../../../shared/fixtures/real/cowrie/', import.meta.url));
const present = existsSync(dir);
if (!present) console.warn(`cowrie fixture tests skipped: ${dir} is absent`);

const ctx = { now: Date.UTC(2024, 5, 1) };
const lines = (f: string): string[] =>
  readFileSync(dir + f, 'utf8')
    .split('\n')
    .slice(0, -1); // final LF
const isJsonFile = (f: string): boolean => f.endsWith('.json') || f === 'fail2ban-cowrie';
const outcome = (r: ParseResult): string => (r.kind === 'event' ? 'event' : `${r.kind}:${r.reason}`);

/** ISO 8601 with any fraction and `Z` / `+hhmm` / `+hh:mm`, to ms (fraction truncated), read independently. */
function isoMs(stamp: string): number {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|([+-])(\d\d):?(\d\d))$/.exec(stamp)!;
  const n = (i: number): number => Number(m[i]);
  const ms = Number(((m[7] ?? '') + '000').slice(0, 3));
  const off = m[8] === 'Z' ? 0 : (m[9] === '-' ? -1 : 1) * (n(10) * 60 + n(11));
  return Date.UTC(n(1), n(2) - 1, n(3), n(4), n(5), n(6), ms) - off * 60_000;
}

/** The reference reading of a cowrie JSON line: the outcome, and the event for a session start. */
function referenceJson(line: string): { outcome: string; event?: Partial<AttackEvent> } {
  if (line.trim() === '') return { outcome: 'skip:empty' };
  if (line.startsWith('#')) return { outcome: 'skip:header' };
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return { outcome: line.startsWith('{') ? 'malformed:bad_json' : 'skip:not_firewall' };
  }
  if (typeof o.eventid !== 'string' || !o.eventid.startsWith('cowrie.'))
    return { outcome: 'skip:not_firewall' };
  if (o.eventid !== 'cowrie.session.connect') return { outcome: 'skip:not_attempt' };
  return {
    outcome: 'event',
    event: {
      ts: isoMs(o.timestamp as string),
      proto: 'tcp',
      port: o.dst_port as number,
      src: o.src_ip as string,
      sport: o.src_port as number,
      dst: o.dst_ip as string,
      handshake: true,
    },
  };
}

const NEW_CONN =
  /(\d{4}-\d\d-\d\dT\S+) \[[^\]]+\] New connection: (\d+\.\d+\.\d+\.\d+):(\d+) \((\d+\.\d+\.\d+\.\d+):(\d+)\) \[session: \w+\]$/;

/** The reference reading of a cowrie text line. */
function referenceText(line: string): { outcome: string; event?: Partial<AttackEvent> } {
  if (line.trim() === '') return { outcome: 'skip:empty' };
  const m = NEW_CONN.exec(line);
  if (m !== null)
    return {
      outcome: 'event',
      event: {
        ts: isoMs(m[1]!),
        proto: 'tcp',
        port: Number(m[5]),
        src: m[2],
        sport: Number(m[3]),
        dst: m[4],
        handshake: true,
      },
    };
  return /(^|: )\d{4}-\d\d-\d\dT\S+ \[/.test(line)
    ? { outcome: 'skip:not_attempt' }
    : { outcome: 'skip:not_firewall' };
}

describe.skipIf(!present)('cowrie parsers on real fixtures', () => {
  it('account for every line of every file the way the reference reading does', () => {
    const files = readdirSync(dir);
    expect(files.length).toBe(5);
    let events = 0;
    for (const f of files) {
      const json = isJsonFile(f);
      const p = json ? new CowrieJsonParser() : new CowrieTextParser();
      for (const line of lines(f)) {
        const want = json ? referenceJson(line) : referenceText(line);
        const got = p.parseLine(line, ctx);
        expect(outcome(got), `${f}: ${line}`).toBe(want.outcome);
        if (got.kind === 'event') {
          expect(got.event, `${f}: ${line}`).toEqual(want.event);
          events++;
        }
      }
    }
    expect(events).toBe(2 + 3 + 3 + 2 + 6);
  });

  it('outcome counts per file (from grep-like counts of the text)', () => {
    const count = (f: string, p: { parseLine: CowrieJsonParser['parseLine'] }): Record<string, number> => {
      const c: Record<string, number> = {};
      for (const l of lines(f)) {
        const k = outcome(p.parseLine(l, ctx));
        c[k] = (c[k] ?? 0) + 1;
      }
      return c;
    };
    const jsonFile = 'honeypotai-botnet-de-jp-cowrie.2024-01-26.json';
    const text = readFileSync(dir + jsonFile, 'utf8');
    const connects = text.split('"eventid":"cowrie.session.connect"').length - 1;
    expect(count(jsonFile, new CowrieJsonParser())).toEqual({
      event: connects,
      'skip:not_attempt': lines(jsonFile).length - connects,
    });
    const logFile = 'honeypotai-botnet-de-jp-cowrie.2024-01-26.log';
    const news = readFileSync(dir + logFile, 'utf8').split('] New connection: ').length - 1;
    expect(news).toBe(connects); // the same sessions in both formats
    expect(count(logFile, new CowrieTextParser())).toEqual({
      event: news,
      'skip:not_attempt': lines(logFile).length - news,
    });
  });

  it('fail2ban-cowrie: every "# failJSON" annotation holds for the record after it', () => {
    const ls = lines('fail2ban-cowrie');
    const p = new CowrieJsonParser();
    let checked = 0;
    ls.forEach((l, i) => {
      const m = /^# failJSON: (.*)$/.exec(l);
      if (m === null) return;
      const want = JSON.parse(m[1]!) as { match: boolean; host?: string; time?: string };
      const r = p.parseLine(ls[i + 1]!, ctx);
      if (!want.match) {
        expect(r.kind, ls[i + 1]).not.toBe('event');
        return;
      }
      expect(r).toMatchObject({ kind: 'event', event: { src: want.host } });
      const ts = (r as { event: AttackEvent }).event.ts;
      expect(Math.floor(ts / 1000) * 1000).toBe(Date.parse(`${want.time}Z`));
      checked++;
    });
    expect(checked).toBe(2);
    // The comment and blank lines of the test file, and its deliberately non-JSON line.
    const rs = ls.map((l) => outcome(p.parseLine(l, ctx)));
    expect(rs.filter((o) => o === 'skip:header')).toHaveLength(ls.filter((l) => l.startsWith('#')).length);
    expect(rs.filter((o) => o === 'skip:empty')).toHaveLength(ls.filter((l) => l === '').length);
    expect(p.parseLine('not a json line at all', ctx)).toEqual({ kind: 'skip', reason: 'not_firewall' });
  });

  it('chosen lines give exactly these events', () => {
    const [hub1, hub2] = lines('hub-cowrie-logs.log');
    const t = new CowrieTextParser();
    expect(t.parseLine(hub1!, ctx)).toEqual({
      kind: 'event',
      event: {
        ts: Date.UTC(2020, 11, 8, 6, 28, 43),
        proto: 'tcp',
        port: 2222,
        src: '4.2.3.1',
        sport: 47630,
        dst: '1.2.3.4',
        handshake: true,
      },
    });
    // The odd session id "3e5a9212s1f" (not hex) does not matter.
    expect(t.parseLine(hub2!, ctx)).toMatchObject({ event: { src: '1.1.1.1', sport: 47631, port: 2222 } });
    const telnet = lines('fail2ban-cowrie').find((l) => l.includes('"protocol":"telnet"'))!;
    expect(new CowrieJsonParser().parseLine(telnet, ctx)).toEqual({
      kind: 'event',
      event: {
        ts: Date.UTC(2026, 7, 13, 0, 5, 0),
        proto: 'tcp',
        port: 23,
        src: '203.0.113.9',
        sport: 52344,
        dst: '172.18.0.2',
        handshake: true,
      },
    });
    const [first] = lines('honeypotai-botnet-de-jp-cowrie.2024-01-26.json');
    expect(new CowrieJsonParser().parseLine(first!, ctx)).toMatchObject({
      event: { ts: Date.UTC(2024, 0, 26, 21, 59, 42, 976), src: '93.223.169.159', sport: 46966, port: 2222 },
    });
  });

  it('hub-cowrie_telnet-bf: six identical repeated connections give six events', () => {
    const evs = lines('hub-cowrie_telnet-bf.log').map((l) => new CowrieTextParser().parseLine(l, ctx));
    expect(evs).toHaveLength(6);
    expect(new Set(evs.map((r) => JSON.stringify(r))).size).toBe(1);
    expect(evs[0]).toMatchObject({ kind: 'event', event: { src: '1.1.1.1', port: 2222 } });
  });

  it('each parser calls the other format another program (not_firewall), never an event', () => {
    for (const f of readdirSync(dir)) {
      const wrong = isJsonFile(f) ? new CowrieTextParser() : new CowrieJsonParser();
      for (const l of lines(f)) {
        const r = wrong.parseLine(l, ctx);
        if (l.trim() === '') continue;
        if (l.startsWith('#') && wrong.type === 'cowrie') continue;
        expect(outcome(r), `${f}: ${l}`).toBe('skip:not_firewall');
      }
    }
  });
});
