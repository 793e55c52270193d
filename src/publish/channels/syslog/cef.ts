/**
 * CEF events in RFC 5424 syslog lines.
 *
 * Formats: RFC 5424 (the syslog header), ArcSight "Common Event Format" rev. 25 (the CEF text), RFC 6587
 * section 3.4.1 (octet counting, for TCP).
 *
 * Invariants:
 * - CEF header fields escape "\" and "|" and never hold a line break; extension values escape "\" and "="
 *   and carry line breaks as the two characters \n (or \r); "|" is not escaped there (the format says so).
 *   Other control characters become spaces.
 * - Syslog header fields are printable US-ASCII without spaces, within their RFC lengths, or "-".
 * - A line never exceeds `maxBytes`: the `msg` extension (last) is shortened first, then the line is cut
 *   at a UTF-8 boundary, never inside an escape.
 */
import type { Level, PublishMessage } from '../types.js';

// eslint-disable-next-line no-control-regex -- replacing control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

export function escapeCefHeader(s: string): string {
  return s
    .replace(CONTROL, ' ')
    .replace(/[\r\n]+/g, ' ')
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|');
}

export function escapeCefValue(s: string): string {
  return s
    .replace(CONTROL, ' ')
    .replace(/\\/g, '\\\\')
    .replace(/=/g, '\\=')
    .replace(/\r\n|\n/g, '\\n')
    .replace(/\r/g, '\\r');
}

const CEF_SEVERITY: Record<Level, number> = { info: 1, low: 3, medium: 5, high: 8 };
const SYSLOG_SEVERITY: Record<Level, number> = { info: 6, low: 5, medium: 4, high: 3 };

export const FACILITIES = {
  kern: 0,
  user: 1,
  mail: 2,
  daemon: 3,
  auth: 4,
  syslog: 5,
  lpr: 6,
  news: 7,
  uucp: 8,
  cron: 9,
  authpriv: 10,
  ftp: 11,
  ntp: 12,
  security: 13,
  console: 14,
  solaris_cron: 15,
  local0: 16,
  local1: 17,
  local2: 18,
  local3: 19,
  local4: 20,
  local5: 21,
  local6: 22,
  local7: 23,
} as const;
export type Facility = keyof typeof FACILITIES;

/** Printable US-ASCII without spaces, at most `max`, or the nil value. */
export function headerField(s: string, max: number): string {
  const v = s.replace(/[^\x21-\x7e]/g, '').slice(0, max);
  return v === '' ? '-' : v;
}

/** Cuts UTF-8 text to at most `max` bytes, not inside a character nor after a lone escape backslash. */
export function cutUtf8(s: string, max: number): string {
  const buf = Buffer.from(s, 'utf8');
  if (buf.length <= max) return s;
  let end = max;
  while (end > 0 && (buf[end]! & 0xc0) === 0x80) end--; // step back to a character start
  let out = buf.subarray(0, end).toString('utf8');
  const trailing = /\\+$/.exec(out)?.[0].length ?? 0;
  if (trailing % 2 === 1) out = out.slice(0, -1);
  return out;
}

export interface SyslogOptions {
  facility: Facility;
  hostname: string;
  app_name: string;
  version: string;
  maxBytes: number;
}

/** The CEF text of a message, without the syslog header. */
export function cefText(msg: PublishMessage, version: string, msgBudget = Infinity): string {
  const level = msg.level ?? 'info';
  const header = [
    'CEF:0',
    'Stormwatch',
    'Stormwatch',
    version,
    msg.kind,
    msg.title,
    String(CEF_SEVERITY[level]),
  ]
    .map((f, i) => (i === 0 ? f : escapeCefHeader(f)))
    .join('|');
  const ext: Array<[string, string]> = [
    ['rt', String(msg.created_at)],
    ['externalId', msg.id],
    ['cat', msg.kind],
    ['cs1Label', 'level'],
    ['cs1', level],
    ['request', msg.url],
  ];
  if (msg.proto === 'tcp' || msg.proto === 'udp') ext.push(['proto', msg.proto.toUpperCase()]);
  if (msg.port !== undefined) ext.push(['dpt', String(msg.port)]);
  const fixed = ext.map(([k, v]) => `${k}=${escapeCefValue(v)}`).join(' ');
  const summary = cutUtf8(escapeCefValue(msg.summary), Math.max(msgBudget, 0));
  return `${header}|${fixed}${summary ? ` msg=${summary}` : ''}`;
}

/**
 * One RFC 5424 line carrying the message as CEF, at most `opts.maxBytes` bytes.
 * @example syslogLine(msg, now, { facility: 'local0', hostname: 'sw1', app_name: 'stormwatch', version: '0.1.0', maxBytes: 2048 })
 */
export function syslogLine(msg: PublishMessage, now: number, opts: SyslogOptions): string {
  const pri = FACILITIES[opts.facility] * 8 + SYSLOG_SEVERITY[msg.level ?? 'info'];
  const head = [
    `<${pri}>1`,
    new Date(now).toISOString(),
    headerField(opts.hostname, 255),
    headerField(opts.app_name, 48),
    '-',
    headerField(msg.kind, 32),
    '-',
  ].join(' ');
  const full = `${head} ${cefText(msg, opts.version)}`;
  if (Buffer.byteLength(full) <= opts.maxBytes) return full;
  const withoutMsg = `${head} ${cefText(msg, opts.version, 0)}`;
  const budget = opts.maxBytes - Buffer.byteLength(withoutMsg) - ' msg='.length;
  if (budget > 0) return `${head} ${cefText(msg, opts.version, budget)}`;
  return cutUtf8(withoutMsg, opts.maxBytes);
}

/** RFC 6587 octet-counting frame: "<length> <line>". */
export function octetFrame(line: string): Buffer {
  const body = Buffer.from(line, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length} `, 'ascii'), body]);
}
