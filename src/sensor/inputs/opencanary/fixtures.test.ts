/**
 * The OpenCanary parser against every real file of /work/shared/fixtures/real/opencanary (SOURCES.md: HTTP
 * records of a real decoy, and the docs' FTP example). Expected values come from JSON.parse of each line.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { AttackEvent } from '../../../core/event.js';
import { OpenCanaryParser } from './index.js';

const dir = fileURLToPath(new URL('../../../../../shared/fixtures/real/opencanary/', import.meta.url));
const present = existsSync(dir);
if (!present) console.warn(`opencanary fixture tests skipped: ${dir} is absent`);

const ctx = { now: Date.UTC(2024, 5, 1) };
const lines = (f: string): string[] =>
  readFileSync(dir + f, 'utf8')
    .split('\n')
    .slice(0, -1);

interface Record {
  dst_host: string;
  dst_port: number;
  src_host: string;
  src_port: number;
  logtype: number;
  local_time: string;
  utc_time?: string;
}

/** `YYYY-MM-DD HH:MM:SS.ffffff`, written by utcnow(): UTC, truncated to ms. */
function utcMs(stamp: string): number {
  const m = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{3})\d*$/.exec(stamp)!;
  const n = (i: number): number => Number(m[i]);
  return Date.UTC(n(1), n(2) - 1, n(3), n(4), n(5), n(6), n(7));
}

/** The reference reading of the logtypes these files hold (2000 FTP login, 3000 HTTP GET, 3001 HTTP login). */
function reference(line: string): { outcome: string; event?: AttackEvent } {
  const o = JSON.parse(line) as Record;
  expect([2000, 3000, 3001]).toContain(o.logtype);
  if (o.src_host.startsWith('127.')) return { outcome: 'skip:loopback' };
  return {
    outcome: 'event',
    event: {
      ts: utcMs(o.utc_time ?? o.local_time),
      proto: 'tcp',
      port: o.dst_port,
      src: o.src_host,
      sport: o.src_port,
      dst: o.dst_host,
      handshake: true,
    },
  };
}

describe.skipIf(!present)('opencanary parser on real fixtures', () => {
  it('accounts for every line of every file as the reference reading does', () => {
    const files = readdirSync(dir);
    expect(files.length).toBe(2);
    let events = 0;
    for (const f of files) {
      const p = new OpenCanaryParser();
      for (const line of lines(f)) {
        const want = reference(line);
        const got = p.parseLine(line, ctx);
        expect(got.kind === 'event' ? 'event' : `${got.kind}:${got.reason}`, line).toBe(want.outcome);
        if (got.kind === 'event') {
          expect(got.event, line).toEqual(want.event);
          events++;
        }
      }
    }
    expect(events).toBe(33);
  });

  it('canarydecoy: counts per (proto, port) and per source from the text', () => {
    const f = 'canarydecoy-opencanary.log';
    const text = readFileSync(dir + f, 'utf8');
    const p = new OpenCanaryParser();
    const evs = lines(f).flatMap((l) => {
      const r = p.parseLine(l, ctx);
      return r.kind === 'event' ? [r.event] : [];
    });
    expect(evs.length).toBe(text.split('"dst_port": 80,').length - 1);
    expect(new Set(evs.map((e) => `${e.proto}/${e.port}`))).toEqual(new Set(['tcp/80']));
    const bySrc = (src: string): number => text.split(`"src_host": "${src}"`).length - 1;
    expect(evs.filter((e) => e.src === '10.20.10.45')).toHaveLength(bySrc('10.20.10.45'));
    expect(evs.filter((e) => e.src === '10.20.10.133')).toHaveLength(bySrc('10.20.10.133'));
  });

  it('chosen lines: the first HTTP GET, and the docs example from 127.0.0.1 (loopback)', () => {
    const [first] = lines('canarydecoy-opencanary.log');
    expect(new OpenCanaryParser().parseLine(first!, ctx)).toEqual({
      kind: 'event',
      event: {
        ts: Date.UTC(2019, 4, 26, 11, 56, 46, 592),
        proto: 'tcp',
        port: 80,
        src: '10.20.10.45',
        sport: 38544,
        dst: '10.20.10.96',
        handshake: true,
      },
    });
    const [docs] = lines('opencanary-docs-examples.log');
    expect(new OpenCanaryParser().parseLine(docs!, ctx)).toEqual({ kind: 'skip', reason: 'loopback' });
    const remote = docs!.replace('"src_host": "127.0.0.1"', '"src_host": "198.51.100.9"');
    expect(new OpenCanaryParser().parseLine(remote, ctx)).toMatchObject({
      event: { ts: Date.UTC(2015, 6, 20, 13, 38, 21, 281), port: 21, sport: 49635, dst: '127.0.0.1' },
    });
  });
});
