/**
 * CSV (RFC 4180): a header row, then one row per entry with the evidence columns.
 *
 * Invariants:
 * - Formula-injection safe (OWASP "CSV Injection"): a cell that starts with `=`, `+`, `-`, `@`, a tab or a
 *   carriage return is prefixed with `'`, so a spreadsheet shows it as text instead of running it. AS names
 *   come from third-party data files, so they are treated as hostile like everything else.
 * - A cell with `,`, `"`, CR or LF is quoted, inner quotes doubled; rows end with CRLF as RFC 4180 says.
 */
import type { Blocklist, BlocklistEntry } from '../types.js';

export const CSV_COLUMNS = [
  'cidr',
  'value',
  'family',
  'events',
  'sources',
  'sensors_min',
  'operators_min',
  'first_seen',
  'last_seen',
  'expires',
  'country',
  'asn',
  'as_name',
  'ports',
  'top_sources',
  'reason',
] as const;

/** One cell, neutralised and quoted as needed. */
export function csvCell(value: string | number | null): string {
  let s = value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const iso = (ms: number): string => new Date(ms).toISOString();

function row(e: BlocklistEntry): Array<string | number | null> {
  return [
    e.cidr,
    e.value,
    e.family,
    e.events,
    e.sources,
    e.sensors,
    e.operators,
    iso(e.first_seen),
    iso(e.last_seen),
    iso(e.expires),
    e.country,
    e.asn,
    e.as_name,
    e.ports.map((p) => `${p.key} ${p.events}`).join('; '),
    e.top_sources.map((s) => `${s.ip} ${s.events}`).join('; '),
    e.reason,
  ];
}

export function renderCsv(list: Blocklist): string {
  const lines = [CSV_COLUMNS.join(','), ...list.entries.map((e) => row(e).map(csvCell).join(','))];
  return lines.map((l) => `${l}\r\n`).join('');
}
