/**
 * Small synthetic events files for the harness's tests: written to a temporary folder, in the marx layout.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export const HEADER = 'datetime,host,src,proto,type,spt,dpt';

export function writeEvents(lines: string[], opts: { gzip?: boolean; header?: string } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'sw-eval-'));
  const text = [opts.header ?? HEADER, ...lines].join('\n') + '\n';
  const path = join(dir, opts.gzip ? 'events.csv.gz' : 'events.csv');
  writeFileSync(path, opts.gzip ? gzipSync(text) : text);
  return path;
}

const pad = (n: number): string => String(n).padStart(2, '0');
export function utc(t: number): string {
  const d = new Date(t);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** A background of `days` days: every host sees `perHour` sources an hour on TCP/22 (one event each). */
export function background(
  hosts: string[],
  days: number,
  perHour: number,
  t0 = Date.UTC(2013, 2, 3),
): string[] {
  const out: string[] = [];
  let src = 100_000;
  for (let h = 0; h < days * 24; h++) {
    for (const host of hosts) {
      for (let i = 0; i < perHour; i++)
        out.push(`${utc(t0 + h * 3_600_000 + i * 60_000)},${host},${src++},TCP,,40000,22`);
    }
  }
  return out;
}
