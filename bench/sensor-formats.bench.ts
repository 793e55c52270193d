/**
 * Parse throughput per sensor input format, on one core, in process (no I/O timed), and in the same run the plain
 * reference the issue asks for against our own reader of the same netfilter file (reader-compare.bench.ts).
 *
 * Corpus per format: every line of ../shared/fixtures/real/<dir>/ (real third-party logs, headers included, file
 * order kept) repeated to about 200,000 lines; the format's own examples where the fixtures are absent.
 * Capture files: every file of ../shared/fixtures/real/pcap/ decoded whole, repeatedly.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { countLineResults } from '../src/sensor/inputs/count-lines.js';
import { compareReaders } from './reader-compare.bench.js';
import { INPUTS, LINE_INPUTS } from '../src/sensor/inputs/registry.js';
import type { LineInputDefinition } from '../src/sensor/inputs/registry.js';
import { median } from './figures.js';
import type { Figure } from './figures.js';

const REAL = fileURLToPath(new URL('../../shared/fixtures/real/', import.meta.url));

/** Which fixture folder holds each format's real lines. */
const FIXTURE_DIR: Record<string, string> = {
  'windows-firewall': 'windows-firewall',
  'cisco-asa': 'cisco-asa',
  'cowrie-text': 'cowrie',
};

function fixtureLines(def: LineInputDefinition): string[] {
  const dir = join(REAL, FIXTURE_DIR[def.type] ?? def.type);
  if (!existsSync(dir)) return [...def.examples];
  const lines: string[] = [];
  for (const f of readdirSync(dir).sort()) {
    const text = readFileSync(join(dir, f), 'utf8');
    if (text.includes('\0')) continue;
    for (const l of text.split('\n')) if (l.length > 0) lines.push(l);
  }
  return lines.length > 0 ? lines : [...def.examples];
}

function corpus(lines: string[], target: number): Buffer {
  const out: string[] = [];
  while (out.length < target) out.push(...lines);
  return Buffer.from(out.slice(0, Math.max(target, lines.length)).join('\n') + '\n');
}

function timeParse(
  def: LineInputDefinition,
  buf: Buffer,
  now: number,
): { lps: number; lines: number; events: number } {
  const rates: number[] = [];
  let lines = 0;
  let events = 0;
  for (let run = 0; run < 4; run++) {
    const parser = def.createParser({ timezone: 'utc', options: def.optionsSchema?.parse({}) });
    const t0 = process.hrtime.bigint();
    const c = countLineResults(parser, buf, { now });
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    const n = c.lines;
    const ev = c.events;
    if (run > 0) rates.push(n / s); // the first run warms up
    lines = n;
    events = ev;
  }
  return { lps: median(rates), lines, events };
}

export function benchSensorFormats(target = 200_000): Figure[] {
  const figures: Figure[] = [];
  const now = Date.parse('2026-06-01T00:00:00Z');
  for (const def of LINE_INPUTS) {
    const lines = fixtureLines(def);
    const buf = corpus(lines, target);
    const r = timeParse(def, buf, now);
    figures.push({
      name: `sensor parse ${def.type} (${r.lines} lines, ${Math.round((100 * r.events) / r.lines)}% events)`,
      value: Math.round(r.lps),
      unit: 'lines/s',
    });
  }
  const pcap = INPUTS.get('pcap');
  const pcapDir = join(REAL, 'pcap');
  if (pcap?.kind === 'packets' && existsSync(pcapDir)) {
    const files = readdirSync(pcapDir).map((f) => readFileSync(join(pcapDir, f)));
    const bytes = files.reduce((t, f) => t + f.length, 0);
    const rates: number[] = [];
    let packets = 0;
    for (let run = 0; run < 4; run++) {
      const t0 = process.hrtime.bigint();
      let n = 0;
      for (let rep = 0; rep < 40; rep++)
        for (const f of files) {
          const d = pcap.createDecoder({ timezone: 'utc', options: pcap.optionsSchema?.parse({}) });
          d.feed(f, () => n++);
        }
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      if (run > 0) rates.push(n / s);
      packets = n;
    }
    const pps = median(rates);
    figures.push({
      name: `sensor decode pcap/pcapng (${packets} packets)`,
      value: Math.round(pps),
      unit: 'packets/s',
    });
    figures.push({
      name: 'sensor decode pcap/pcapng, bytes',
      value: Math.round((pps * bytes) / (packets / 40) / 40 / 1e6),
      unit: 'MB/s',
    });
  }

  // Plain reference against our reader, on the same netfilter file: in a process of its own (reader-compare).
  const ipt = LINE_INPUTS.find((d) => d.type === 'iptables');
  if (ipt !== undefined) {
    figures.push(
      ...compareReaders(
        corpus(
          fixtureLines(ipt).filter((l) => l.includes('SRC=')),
          500_000,
        ),
      ),
    );
  }
  return figures;
}
