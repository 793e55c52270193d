/**
 * The plain reference the sensor issue asks for, against our own reader, on the same netfilter file:
 * - plain: a straightforward line-by-line Node.js reader (readline over a file stream) that pulls SRC and DPT out
 *   of each line with one regular expression, as a first Node.js version of a sensor would be;
 * - ours: 1 MiB chunks, lines split on the bytes, the iptables parser on each line's bytes (what the follower does).
 *
 * Both run in a fresh process of their own (`--child FILE`), alternated round by round, and the figure is the
 * median of the per-round ratios: a sensor process follows one or two logs, while the benchmark process has by
 * then run every parser of every format through the same shared helpers, whose compiled code is no longer the
 * code a sensor runs (ours measured 0.8× the reference there, 1.6× in a process of its own, in the same minute);
 * and this machine's speed drifts by tens of percent from minute to minute, so only ratios from alternated rounds
 * are comparable.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { IptablesParser } from '../src/sensor/inputs/iptables/parser.js';
import { median } from './figures.js';
import type { Figure } from './figures.js';

const ROUNDS = 5;

async function plainReference(path: string): Promise<number> {
  const t0 = process.hrtime.bigint();
  let n = 0;
  let found = 0;
  const rl = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const line of rl) {
    n++;
    const m = /SRC=(\S+) .*DPT=(\d+)/.exec(line);
    if (m !== null && m[1] !== undefined && Number(m[2]) >= 0) found++;
  }
  if (found < 0) throw new Error('unreachable');
  return n / (Number(process.hrtime.bigint() - t0) / 1e9);
}

async function ownReader(path: string, now: number): Promise<number> {
  const parser = new IptablesParser({ timezone: 'utc' });
  const ctx = { now };
  const t0 = process.hrtime.bigint();
  let n = 0;
  let events = 0;
  let pending = Buffer.alloc(0);
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    const buf = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let p = 0;
    for (let nl = buf.indexOf(10, p); nl >= 0; nl = buf.indexOf(10, p)) {
      if (parser.parseBytes(buf, p, nl, ctx).kind === 'event') events++;
      n++;
      p = nl + 1;
    }
    pending = Buffer.from(buf.subarray(p));
  }
  if (events === 0) throw new Error(`no event read from ${path}`);
  return n / (Number(process.hrtime.bigint() - t0) / 1e9);
}

interface Comparison {
  plain: number;
  own: number;
  ratio: number;
}

async function child(path: string): Promise<void> {
  const now = Date.parse('2026-06-01T00:00:00Z');
  await plainReference(path); // warm-up, both
  await ownReader(path, now);
  const plain: number[] = [];
  const own: number[] = [];
  const ratio: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const p = await plainReference(path);
    const o = await ownReader(path, now);
    plain.push(p);
    own.push(o);
    ratio.push(o / p);
  }
  const out: Comparison = { plain: median(plain), own: median(own), ratio: median(ratio) };
  process.stdout.write(JSON.stringify(out) + '\n');
}

/** Writes `corpus` to a file and compares the two readers on it in a fresh process. */
export function compareReaders(corpus: Buffer): Figure[] {
  const dir = mkdtempSync(join(tmpdir(), 'sw-bench-ref-'));
  try {
    const path = join(dir, 'kern.log');
    writeFileSync(path, corpus);
    const self = fileURLToPath(import.meta.url);
    const out = execFileSync(process.execPath, ['--import', 'tsx', self, '--child', path], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      encoding: 'utf8',
    });
    const r = JSON.parse(out.trim().split('\n').pop() ?? '{}') as Comparison;
    return [
      {
        name: 'plain reference: readline + regex SRC/DPT, netfilter file',
        value: Math.round(r.plain),
        unit: 'lines/s',
      },
      { name: 'sensor: netfilter file read + parsed (same file)', value: Math.round(r.own), unit: 'lines/s' },
      {
        name: `sensor vs plain reference (fresh process, median of ${ROUNDS} alternated rounds)`,
        value: Math.round(r.ratio * 100) / 100,
        unit: 'x',
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child' && process.argv[3] !== undefined) await child(process.argv[3]);
