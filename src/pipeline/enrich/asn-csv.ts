/**
 * Loads the ip-location-db ASN CSV files (`ip_range_start,ip_range_end,autonomous_system_number,
 * autonomous_system_organization`, inclusive ranges; node_modules/@ip-location-db/asn/README.md) into a range
 * table, with the (ASN, AS name) records in an AsnDictionary shared by the IPv4 and IPv6 files.
 *
 * Invariants:
 * - A file is read whole and parsed as bytes (csv-bytes.ts; csv-parse took 1.5 s for asn-ipv4.csv alone). An AS
 *   name is decoded only the first time its ASN appears in the file, or when it differs from that first
 *   time; names are interned, so the tables keep neither the file nor slices of it.
 * - Range bounds may be address text (asn-ipv4.csv) or decimal numbers (the -num files); an IPv4 file holds
 *   only IPv4 ranges and an IPv6 file only IPv6 ones.
 * - Anything malformed (a field count other than 4, a bad address or ASN, start after end, rows out of order,
 *   no rows at all) is an SW_CONFIG_INVALID error naming the file and the line. A row overlapping the one
 *   before is clipped (the earlier row wins) and counted: the published files have a few.
 * - A header row (third field not a number) is skipped on line 1 only.
 */
import { readFileSync } from 'node:fs';
import { makeError } from '../../core/errors.js';
import { parseAddress, parseIPv4Bytes, V6 } from './address.js';
import type { AsnDictionary } from './asn-dictionary.js';
import { CsvRecord, CsvSyntaxError, isLineBreak } from './csv-bytes.js';
import type { AddStatus, RangeBuilder4, RangeBuilder6 } from './range-table.js';

export interface AsnFileStats {
  rows: number;
  overlaps: number;
  /** Line of the first overlapping row (0: none). */
  firstOverlapLine: number;
}

export type AsnTarget = { family: 4; builder: RangeBuilder4 } | { family: 6; builder: RangeBuilder6 };

/** ASNs below this are indexed directly while loading (a 4 MiB array for the duration of a load). */
const DIRECT_ASNS = 1 << 20;

/** Decimal digits in buf[s, e) as a number, or -1 (not all digits, or more than 15). */
function decimal(buf: Buffer, s: number, e: number): number {
  if (e <= s || e - s > 15) return -1;
  let v = 0;
  for (let i = s; i < e; i++) {
    const c = buf[i] ?? 0;
    if (c < 48 || c > 57) return -1;
    v = v * 10 + (c - 48);
  }
  return v;
}

function allDigits(buf: Buffer, s: number, e: number): boolean {
  for (let i = s; i < e; i++) if ((buf[i] ?? 0) < 48 || (buf[i] ?? 0) > 57) return false;
  return e > s;
}

/** Field i of `rec` as an address of `family` into `out` (out[0] for IPv4); false when it is not one. */
function addressField(rec: CsvRecord, i: number, family: 4 | 6, out: Uint32Array): boolean {
  const buf = rec.buf;
  const s = rec.start[i] ?? 0;
  const e = rec.end[i] ?? 0;
  if (e <= s || e - s > 45) return false;
  if (family === 4) {
    const v = allDigits(buf, s, e) ? decimal(buf, s, e) : parseIPv4Bytes(buf, s, e);
    if (v < 0 || v > 0xffffffff) return false;
    out[0] = v;
    return true;
  }
  if (!allDigits(buf, s, e)) return parseAddress(buf.toString('latin1', s, e), out) === V6;
  const big = BigInt(buf.toString('latin1', s, e)); // the -num form: up to 39 digits
  if (big >> 128n !== 0n) return false;
  for (let k = 0; k < 4; k++) out[k] = Number((big >> BigInt(96 - 32 * k)) & 0xffffffffn);
  return true;
}

function readWhole(path: string, label: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw makeError('SW_CONFIG_INVALID', `${label}: cannot read the file (${(err as Error).message})`, {
      cause: err,
    });
  }
}

/**
 * Reads one ASN CSV file into `target`, interning its records in `dict`. `label` (the config key and the
 * path) starts every error message.
 */
export function loadAsnCsv(
  path: string,
  label: string,
  target: AsnTarget,
  dict: AsnDictionary,
): AsnFileStats {
  const buf = readWhole(path, label);
  const rec = new CsvRecord(buf);
  const stats: AsnFileStats = { rows: 0, overlaps: 0, firstOverlapLine: 0 };
  const first = new Uint32Array(4);
  const last = new Uint32Array(4);
  const kind = target.family === 4 ? 'IPv4' : 'IPv6';
  // Per ASN seen in this file: its record and where its name's bytes are. Slots of ASNs below 2^20 (nearly all)
  // are found by direct index (slot + 1; 0: none), the others in a map.
  const direct = new Int32Array(DIRECT_ASNS);
  const slotOf = new Map<number, number>();
  const slotRecord: number[] = [];
  const slotName: number[] = []; // start, end pairs
  let line = 1;
  const fail = (what: string): never => {
    throw makeError('SW_CONFIG_INVALID', `${label}: line ${line}: ${what}`);
  };
  for (let pos = 0; pos < buf.length;) {
    const c = buf[pos];
    if (isLineBreak(c)) {
      pos += c === 13 && buf[pos + 1] === 10 ? 2 : 1;
      line++;
      continue;
    }
    try {
      pos = rec.split(pos);
    } catch (err) {
      if (err instanceof CsvSyntaxError) fail(err.message);
      throw err;
    }
    if (rec.fields !== 4) fail(`expected 4 fields (start, end, ASN, AS name), found ${rec.fields}`);
    const asn = decimal(buf, rec.start[2] ?? 0, rec.end[2] ?? 0);
    if (asn < 0 || asn > 0xffffffff) {
      if (line !== 1) fail(`ASN ${JSON.stringify(rec.text(2))} is not a number`);
      line += 1 + rec.innerLines; // a header row
      continue;
    }
    if (!addressField(rec, 0, target.family, first)) fail(`range start is not an ${kind} address`);
    if (!addressField(rec, 1, target.family, last)) fail(`range end is not an ${kind} address`);

    let id: number;
    const slot = asn < DIRECT_ASNS ? (direct[asn] ?? 0) - 1 : (slotOf.get(asn) ?? -1);
    if (slot >= 0 && rec.sameBytes(3, slotName[2 * slot] ?? 0, slotName[2 * slot + 1] ?? 0)) {
      id = slotRecord[slot] ?? 0;
    } else {
      id = dict.intern(asn, rec.text(3));
      if (slot < 0) {
        if (asn < DIRECT_ASNS) direct[asn] = slotRecord.length + 1;
        else slotOf.set(asn, slotRecord.length);
        slotRecord.push(id);
        slotName.push(rec.start[3] ?? 0, rec.end[3] ?? 0);
      }
    }

    let status: AddStatus;
    if (target.family === 4) {
      if ((first[0] ?? 0) > (last[0] ?? 0)) fail('range start is after its end');
      status = target.builder.add(first[0] ?? 0, last[0] ?? 0, id);
    } else {
      let order = 0;
      for (let k = 0; k < 4 && order === 0; k++) order = (first[k] ?? 0) - (last[k] ?? 0);
      if (order > 0) fail('range start is after its end');
      status = target.builder.add(first, last, id);
    }
    if (status === 'unsorted') fail('rows are not in ascending order of range start');
    if (status === 'overlap' && stats.overlaps++ === 0) stats.firstOverlapLine = line;
    stats.rows++;
    line += 1 + rec.innerLines;
  }
  if (stats.rows === 0) fail('no ranges in the file');
  return stats;
}
