/**
 * Hand-written validation of one submitted event: the rules of `eventSchema` (src/protocol/batch.ts), without
 * zod, for the ingest hot path.
 *
 * Invariants:
 * - For every JSON value, the problems are exactly those zod's eventSchema reports (same field, same reason,
 *   same order: fields in schema order, an unsafe or fractional number before its range, length before
 *   pattern, unknown keys last), with ONE deliberate addition: `src` and `dst` must be canonical IP text
 *   (src/ingest/ip-text.ts), which eventSchema's pattern only approximates. check-event.test.ts holds the two
 *   to this on generated inputs.
 * - A valid event is returned as is (no copy): it holds only schema fields, so nothing unknown passes through.
 * - Inputs are JSON.parse output: plain objects whose keys are all own and enumerable.
 * - The common event (ts, proto, port, src, sport, dst, flags) is checked without allocating.
 */
import { PAYLOAD_HEAD_MAX } from '../core/event.js';
import type { AttackEvent } from '../core/event.js';
import { isCanonicalIp, canonicalIpText } from './ip-text.js';
import { addProblem } from './problems.js';
import type { BatchProblem } from './problems.js';

/** The limits of eventSchema, repeated here (check-event.test.ts compares the two on generated inputs). */
const IP_MAX = 64;
const FLAGS_MAX = 8;
const HEAD_MAX = Math.ceil(PAYLOAD_HEAD_MAX / 3) * 4;
const IP_TEXT = /^[0-9A-Fa-f:.]{2,45}$/;
const FLAG_TEXT = /^[FSRPAUEC]*$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const PROTO_MESSAGE = 'Invalid option: expected one of "tcp"|"udp"|"icmp"|"icmp6"|"other"';
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** Flag letters FSRPAUEC by char code. */
const FLAG_CHAR = new Uint8Array(128);
for (const c of 'FSRPAUEC') FLAG_CHAR[c.charCodeAt(0)] = 1;

/** How zod names a value's type in "received ..." (non-finite numbers by value: NaN, Infinity, -Infinity). */
function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  return typeof v;
}

function checkInt(
  v: unknown,
  min: number,
  max: number | null,
  index: number,
  field: string,
  out: BatchProblem[],
): void {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    addProblem(out, index, field, `Invalid input: expected number, received ${typeName(v)}`);
    return;
  }
  if (!Number.isInteger(v)) {
    addProblem(out, index, field, 'Invalid input: expected int, received number');
    return;
  }
  if (v > MAX_SAFE) addProblem(out, index, field, `Too big: expected int to be <=${MAX_SAFE}`);
  else if (v < -MAX_SAFE) addProblem(out, index, field, `Too small: expected int to be >=-${MAX_SAFE}`);
  if (v < min) addProblem(out, index, field, `Too small: expected number to be >=${min}`);
  if (max !== null && v > max) addProblem(out, index, field, `Too big: expected number to be <=${max}`);
}

function checkString(
  v: unknown,
  maxLength: number | null,
  pattern: RegExp,
  patternReason: string,
  index: number,
  field: string,
  out: BatchProblem[],
): boolean {
  if (typeof v !== 'string') {
    addProblem(out, index, field, `Invalid input: expected string, received ${typeName(v)}`);
    return false;
  }
  let ok = true;
  if (maxLength !== null && v.length > maxLength) {
    addProblem(out, index, field, `Too big: expected string to have <=${maxLength} characters`);
    ok = false;
  }
  if (!pattern.test(v)) {
    addProblem(out, index, field, patternReason);
    ok = false;
  }
  return ok;
}

function checkIp(v: unknown, index: number, field: string, out: BatchProblem[]): void {
  if (typeof v === 'string' && isCanonicalIp(v)) return;
  if (!checkString(v, IP_MAX, IP_TEXT, 'not an IP address', index, field, out)) return;
  const canonical = canonicalIpText(v as string);
  addProblem(
    out,
    index,
    field,
    canonical === null ? 'not an IP address' : `not canonical IP text (canonical: ${canonical})`,
  );
}

function isFlags(v: unknown): boolean {
  if (typeof v !== 'string' || v.length > FLAGS_MAX) return false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c >= 128 || FLAG_CHAR[c] !== 1) return false;
  }
  return true;
}

function unrecognized(keys: string[], index: number, path: string, out: BatchProblem[]): void {
  const quoted = keys.map((k) => `"${k}"`).join(', ');
  addProblem(
    out,
    index,
    path === '' ? keys.join(',') : `${path}.${keys.join(',')}`,
    `Unrecognized key${keys.length === 1 ? '' : 's'}: ${quoted}`,
  );
}

function checkPayload(p: unknown, index: number, out: BatchProblem[]): void {
  if (typeof p !== 'object' || p === null || Array.isArray(p)) {
    addProblem(out, index, 'payload', `Invalid input: expected object, received ${typeName(p)}`);
    return;
  }
  const o = p as Record<string, unknown>;
  checkString(o.sha256, null, SHA256_HEX, 'not a lower-case hex SHA-256', index, 'payload.sha256', out);
  checkString(o.head, HEAD_MAX, BASE64, 'not base64', index, 'payload.head', out);
  checkInt(o.bytes, 0, null, index, 'payload.bytes', out);
  let extra: string[] | undefined;
  for (const k in o) {
    if (k !== 'sha256' && k !== 'head' && k !== 'bytes') (extra ??= []).push(k);
  }
  if (extra) unrecognized(extra, index, 'payload', out);
}

const EVENT_KEYS = new Set(['ts', 'proto', 'port', 'src', 'sport', 'dst', 'flags', 'handshake', 'payload']);

/** Every rule, in zod's order, recording each problem (the slow path, taken only by a bad event). */
function explain(e: unknown, index: number, out: BatchProblem[]): void {
  if (typeof e !== 'object' || e === null || Array.isArray(e)) {
    addProblem(out, index, '(event)', `Invalid input: expected object, received ${typeName(e)}`);
    return;
  }
  const o = e as Record<string, unknown>;
  checkInt(o.ts, 0, null, index, 'ts', out);
  const proto = o.proto;
  if (proto !== 'tcp' && proto !== 'udp' && proto !== 'icmp' && proto !== 'icmp6' && proto !== 'other')
    addProblem(out, index, 'proto', PROTO_MESSAGE);
  checkInt(o.port, 0, 65535, index, 'port', out);
  checkIp(o.src, index, 'src', out);
  if (o.sport !== undefined) checkInt(o.sport, 0, 65535, index, 'sport', out);
  if (o.dst !== undefined) checkIp(o.dst, index, 'dst', out);
  if (o.flags !== undefined && !isFlags(o.flags))
    checkString(o.flags, FLAGS_MAX, FLAG_TEXT, 'not TCP flag letters', index, 'flags', out);
  if (o.handshake !== undefined && typeof o.handshake !== 'boolean')
    addProblem(out, index, 'handshake', `Invalid input: expected boolean, received ${typeName(o.handshake)}`);
  if (o.payload !== undefined) checkPayload(o.payload, index, out);
  let extra: string[] | undefined;
  for (const k in o) if (!EVENT_KEYS.has(k)) (extra ??= []).push(k);
  if (extra) unrecognized(extra, index, '', out);
}

const isPort = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 65535;

/**
 * Checks one event; returns it when valid, else records its problems in `out` (up to MAX_PROBLEMS in all)
 * and returns null.
 * @example const ok = checkEvent(JSON.parse(line), 0, problems)
 */
export function checkEvent(e: unknown, index: number, out: BatchProblem[]): AttackEvent | null {
  if (typeof e === 'object' && e !== null && !Array.isArray(e)) {
    const o = e as Record<string, unknown>;
    const ts = o.ts;
    const proto = o.proto;
    const src = o.src;
    // The fields every event has, then the optional ones: each present field is counted, and the count is
    // compared with the object's own keys, so an unknown key sends the event down the slow path.
    let fields = 4;
    let ok =
      typeof ts === 'number' &&
      Number.isSafeInteger(ts) &&
      ts >= 0 &&
      (proto === 'tcp' || proto === 'udp' || proto === 'icmp' || proto === 'icmp6' || proto === 'other') &&
      isPort(o.port) &&
      typeof src === 'string' &&
      isCanonicalIp(src);
    if (ok && o.sport !== undefined) {
      fields++;
      ok = isPort(o.sport);
    }
    if (ok && o.dst !== undefined) {
      fields++;
      ok = typeof o.dst === 'string' && isCanonicalIp(o.dst);
    }
    if (ok && o.flags !== undefined) {
      fields++;
      ok = isFlags(o.flags);
    }
    if (ok && o.handshake !== undefined) {
      fields++;
      ok = typeof o.handshake === 'boolean';
    }
    if (ok && o.payload !== undefined) {
      fields++;
      const found: BatchProblem[] = [];
      checkPayload(o.payload, index, found);
      ok = found.length === 0;
    }
    if (ok) {
      let keys = 0;
      for (const _ in o) keys++;
      if (keys === fields) return o as unknown as AttackEvent;
    }
  }
  // The slow path: every rule, each problem recorded. Finding none means the event is valid after all
  // (e.g. an optional field present as undefined, which JSON cannot express).
  const found: BatchProblem[] = [];
  explain(e, index, found);
  if (found.length === 0) return e as AttackEvent;
  for (const p of found) addProblem(out, p.index, p.field, p.reason);
  return null;
}
