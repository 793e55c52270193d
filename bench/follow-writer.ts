/**
 * The busy log of the sensor-process benchmark (sensor-follow.bench.ts), written by a process of its own so that
 * its CPU bursts never starve the receiver, which runs in the benchmark's process: appends `total` netfilter
 * lines to FILE as fast as it can, in bursts of 20,000, then prints the milliseconds it took.
 * Usage: node --import tsx bench/follow-writer.ts FILE TOTAL
 */
import { appendFileSync } from 'node:fs';

/** Line `i` of the busy log: distinct sources, five ports, one target. */
export function followLine(i: number): string {
  const a = 45 + (i % 50);
  return `Nov 27 10:00:${String(i % 60).padStart(2, '0')} gw kernel: [1234.5678] DROP IN=eth0 OUT= MAC=00:11:22:33:44:55:66:77:88:99:aa:bb:08:00 SRC=${a}.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255 || 1} DST=203.0.113.10 LEN=44 TOS=0x00 PREC=0x00 TTL=50 ID=${i & 65535} PROTO=TCP SPT=${1024 + (i % 60000)} DPT=${[22, 23, 445, 1025, 3389][i % 5]} WINDOW=1024 RES=0x00 SYN URGP=0`;
}

const [file, totalArg] = process.argv.slice(2);
if (file !== undefined && totalArg !== undefined) {
  const total = Number(totalArg);
  const t0 = performance.now();
  const burst = 20_000;
  for (let i = 0; i < total; i += burst) {
    const chunk: string[] = [];
    for (let k = i; k < Math.min(total, i + burst); k++) chunk.push(followLine(k));
    appendFileSync(file, chunk.join('\n') + '\n');
  }
  process.stdout.write(`${Math.round(performance.now() - t0)}\n`);
}
