/**
 * Sensor parse throughput: netfilter lines → events, on one core, in process (no I/O timed). The corpus is
 * real third-party lines from ../shared/fixtures/real/iptables repeated to ~500k lines (a synthetic corpus
 * of the same shape when ../shared is absent), with source addresses varied so no cache can help.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseIptablesBuffer } from '../src/sensor/inputs/iptables/index.js';
import { median } from './figures.js';
import type { Figure } from './figures.js';

const FIXTURES = fileURLToPath(new URL('../../shared/fixtures/real/iptables', import.meta.url));

function corpusLines(): string[] {
  if (existsSync(FIXTURES)) {
    const lines: string[] = [];
    for (const f of readdirSync(FIXTURES)) {
      for (const l of readFileSync(join(FIXTURES, f), 'utf8').split('\n'))
        if (l.includes('SRC=')) lines.push(l);
    }
    return lines;
  }
  return [
    'Mar 11 20:35:11 linux kernel: [463490.251762] DROP IN=eth1 OUT= MAC=23:87:fc:c6:24:58:00:21:3f:98:99:78:09:00 SRC=203.0.113.55 DST=198.51.100.1 LEN=44 TOS=0x00 PREC=0x00 TTL=53 ID=15270 PROTO=TCP SPT=56247 DPT=1025 WINDOW=3072 RES=0x00 SYN URGP=0 OPT (020405B4)',
  ];
}

export function benchSensorParse(targetLines = 500_000): Figure[] {
  const base = corpusLines();
  const out: string[] = [];
  for (let i = 0; out.length < targetLines; i++) {
    const l = base[i % base.length] ?? '';
    out.push(
      l.replace(/SRC=\d+\.\d+\.\d+\.\d+/, `SRC=${(i >>> 16) & 255 || 1}.${(i >>> 8) & 255}.${i & 255}.7`),
    );
  }
  const buf = Buffer.from(out.join('\n') + '\n');
  const now = Date.parse('2026-06-01T00:00:00Z');
  parseIptablesBuffer(buf, { now }); // warm-up
  const rates: number[] = [];
  let events = 0;
  for (let r = 0; r < 5; r++) {
    const t0 = process.hrtime.bigint();
    const c = parseIptablesBuffer(buf, { now });
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    events = c.events;
    rates.push(c.lines / s);
  }
  const lps = median(rates);
  return [
    {
      name: `sensor: parse netfilter lines (${out.length} lines, ${events} events, 1 core)`,
      value: Math.round(lps),
      unit: 'lines/s',
    },
    {
      name: 'sensor: parse netfilter lines, bytes',
      value: Math.round((lps * buf.length) / out.length / 1e6),
      unit: 'MB/s',
    },
  ];
}
