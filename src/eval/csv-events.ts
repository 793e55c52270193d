/**
 * Stream-reads an events file in the marx column layout (`datetime,host,src,proto,type,spt,dpt`, with an
 * optional `operator` column), plain or gzip (by magic bytes), one line at a time.
 *
 * Invariants:
 * - A bad row never stops the read: it is counted with its reason and skipped; the first few are kept as samples
 *   (line number, field, value) so that a person can fix the file.
 * - `datetime` is UTC (`YYYY-MM-DD HH:MM:SS`, or ISO 8601 with a zone); `src` is an unsigned 32-bit integer or a
 *   dotted quad; `proto` is TCP/UDP/ICMP in any case; the port of an ICMP event is its `type`.
 * - A missing header or a header without the required columns is a typed error (SW_INPUT_INVALID).
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { makeError } from '../core/errors.js';

export type EvalProto = 'tcp' | 'udp' | 'icmp';

export interface RawEvent {
  /** ms since epoch, UTC. */
  t: number;
  host: string;
  src: number;
  proto: EvalProto;
  port: number;
  operator?: string;
}

export interface BadRow {
  line: number;
  field: string;
  value: string;
  reason: string;
}

export interface ReadStats {
  rows: number;
  accepted: number;
  rejected: number;
  by_reason: Record<string, number>;
  samples: BadRow[];
}

const REQUIRED = ['datetime', 'host', 'src', 'proto', 'type', 'dpt'] as const;
const MAX_SAMPLES = 20;

export function parseIPv4(value: string): number | null {
  if (/^\d{1,10}$/.test(value)) {
    const n = Number(value);
    return n <= 0xffffffff ? n : null;
  }
  const parts = value.split('.');
  if (parts.length !== 4) return null;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return null;
    const b = Number(p);
    if (b > 255) return null;
    n = n * 256 + b;
  }
  return n;
}

export function formatIPv4(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

export function parseUtc(value: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/.exec(value);
  if (!m) return null;
  const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[7] ?? ''}${m[8] ?? 'Z'}`;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : null;
}

/** Parses one data row; returns the event or the reason it was refused. */
export function parseRow(cells: string[], col: Record<string, number>, line: number): RawEvent | BadRow {
  const get = (name: string): string => (col[name] === undefined ? '' : (cells[col[name]] ?? '').trim());
  const bad = (field: string, reason: string): BadRow => ({ line, field, value: get(field), reason });
  const t = parseUtc(get('datetime'));
  if (t === null) return bad('datetime', 'not a UTC date-time');
  const host = get('host');
  if (host === '') return bad('host', 'empty sensor name');
  const src = parseIPv4(get('src'));
  if (src === null) return bad('src', 'not an IPv4 address (integer or dotted quad)');
  const protoRaw = get('proto').toLowerCase();
  if (protoRaw !== 'tcp' && protoRaw !== 'udp' && protoRaw !== 'icmp')
    return bad('proto', 'not TCP, UDP or ICMP');
  const portField = protoRaw === 'icmp' ? 'type' : 'dpt';
  const portText = get(portField);
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 0 && port <= 65535)) return bad(portField, 'not a port number from 0 to 65535');
  const ev: RawEvent = { t, host, src, proto: protoRaw, port };
  const op = get('operator');
  if (op !== '') ev.operator = op;
  return ev;
}

function splitCsv(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** Opens a file as a text stream, gunzipping when it starts with the gzip magic bytes. */
async function openText(path: string): Promise<Readable> {
  const { open } = await import('node:fs/promises');
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw makeError('SW_INPUT_INVALID', `cannot open events file ${path}`, { cause: err });
  }
  const head = Buffer.alloc(2);
  await fh.read(head, 0, 2, 0);
  await fh.close();
  const raw = createReadStream(path);
  return head[0] === 0x1f && head[1] === 0x8b ? raw.pipe(createGunzip()) : raw;
}

/** Reads every row, calling `onEvent` for each good one; bad rows are counted in the returned stats. */
export async function readEvents(path: string, onEvent: (ev: RawEvent) => void): Promise<ReadStats> {
  const stats: ReadStats = { rows: 0, accepted: 0, rejected: 0, by_reason: {}, samples: [] };
  const rl = createInterface({ input: await openText(path), crlfDelay: Infinity });
  let col: Record<string, number> | null = null;
  let line = 0;
  for await (const text of rl) {
    line++;
    if (text.trim() === '') continue;
    const cells = splitCsv(text);
    if (col === null) {
      const c: Record<string, number> = {};
      cells.forEach((name, i) => (c[name.trim().toLowerCase()] = i));
      const missing = REQUIRED.filter((n) => c[n] === undefined);
      if (missing.length > 0) {
        rl.close();
        throw makeError('SW_INPUT_INVALID', `${path}: header lacks column(s) ${missing.join(', ')}`);
      }
      col = c;
      continue;
    }
    stats.rows++;
    const r = parseRow(cells, col, line);
    if ('reason' in r) {
      stats.rejected++;
      const k = `${r.field}: ${r.reason}`;
      stats.by_reason[k] = (stats.by_reason[k] ?? 0) + 1;
      if (stats.samples.length < MAX_SAMPLES) stats.samples.push(r);
      continue;
    }
    stats.accepted++;
    onEvent(r);
  }
  if (col === null) throw makeError('SW_INPUT_INVALID', `${path}: empty file (no header)`);
  return stats;
}
