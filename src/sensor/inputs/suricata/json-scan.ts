/**
 * A JSON object scanner on bytes that allocates nothing: it walks one object and records where the values of a
 * fixed set of wanted keys lie, so a parser reads a few fields of a 2 KB eve.json or Zeek JSON line without
 * decoding the line and building the object JSON.parse would (about twice as fast on eve flow lines).
 *
 * Wanted keys are paths of at most two levels: `src_ip` (a top-level key) or `flow/start` (a key of the object
 * that is the value of the top-level key `flow`); a dot is an ordinary key character (Zeek's `id.orig_h`).
 * Duplicate keys: the last occurrence wins, as with JSON.parse.
 *
 * How much is checked: the top-level object and the objects holding wanted keys are read member by member
 * (RFC 8259 grammar: quotes, colons, commas, numbers, literals); the values of other keys are skipped by
 * matching quotes and brackets only, string contents are not checked for escape syntax or control bytes, and
 * any byte up to 0x20 between tokens counts as a blank (JSON names only space, tab, CR and LF).
 * So a truncated or glued line is refused (SCAN_BAD) while a valid line costs one pass with few comparisons
 * per byte (strings are crossed with indexOf). Keys written with escapes (`"src\u005fip"`) do not match.
 *
 * Invariants:
 * - The result never depends on bytes past `end` (indexOf may look further; its answer is checked against end).
 * - An optional gate key (e.g. `event_type`) is handed to `gate` as soon as it is read; when the gate says
 *   stop, scanning ends there with SCAN_STOPPED and the rest of the line is neither read nor checked.
 */

/** Kinds of a recorded value. */
export const J_NONE = 0;
export const J_STRING = 1;
export const J_NUMBER = 2;
export const J_TRUE = 3;
export const J_FALSE = 4;
export const J_NULL = 5;
export const J_OBJECT = 6;
export const J_ARRAY = 7;

/** Results of `scan`. */
export const SCAN_OK = 0;
export const SCAN_BAD = 1;
export const SCAN_STOPPED = 2;

const MAX_KEY = 64; // longest wanted key name + 1
const BUCKETS = 1024;
const EMPTY = new Uint8Array(0);

function bucket(parent: number, len: number, first: number): number {
  return ((len << 5) ^ first ^ (parent << 8)) & (BUCKETS - 1);
}
const STOP = -2;
const BAD = -1;

const QUOTE = 34;
const BACKSLASH = 92;
const LBRACE = 123;
const RBRACE = 125;
const LBRACKET = 91;
const RBRACKET = 93;
const COMMA = 44;
const COLON = 58;

/**
 * Index of the closing quote of a string whose content starts at `p`, or BAD. A short manual scan first
 * (keys and most values are short), then indexOf for long strings (payloads, signatures, URLs).
 */
function stringEnd(buf: Uint8Array, p: number, end: number): number {
  const from = p;
  for (;;) {
    let q = p;
    const lim = p + 16 < end ? p + 16 : end;
    while (q < lim && buf[q] !== QUOTE) q++;
    if (q === lim) {
      if (lim === end) return BAD;
      q = buf.indexOf(QUOTE, lim);
      if (q < 0 || q >= end) return BAD;
    }
    let b = q - 1;
    while (b >= from && buf[b] === BACKSLASH) b--;
    if (((q - 1 - b) & 1) === 0) return q; // an even run of backslashes: the quote is not escaped
    p = q + 1;
  }
}

/** End of the object or array opening at `p`, matching brackets and crossing strings; or BAD. */
function containerEnd(buf: Uint8Array, p: number, end: number): number {
  let depth = 0;
  for (let q = p; q < end; q++) {
    const c = buf[q];
    if (c === QUOTE) {
      q = stringEnd(buf, q + 1, end);
      if (q < 0) return BAD;
    } else if (c === LBRACE || c === LBRACKET) {
      depth++;
    } else if (c === RBRACE || c === RBRACKET) {
      if (--depth === 0) return q + 1;
    }
  }
  return BAD;
}

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 48 && c <= 57;
}

/** End of the JSON number at `p`, or BAD. */
function numberEnd(buf: Uint8Array, p: number, end: number): number {
  if (buf[p] === 45) p++;
  if (p >= end || !isDigit(buf[p])) return BAD;
  if (buf[p] === 48) p++;
  else while (p < end && isDigit(buf[p])) p++;
  if (p < end && buf[p] === 46) {
    p++;
    if (p >= end || !isDigit(buf[p])) return BAD;
    while (p < end && isDigit(buf[p])) p++;
  }
  if (p < end && (buf[p] === 101 || buf[p] === 69)) {
    p++;
    if (p < end && (buf[p] === 43 || buf[p] === 45)) p++;
    if (p >= end || !isDigit(buf[p])) return BAD;
    while (p < end && isDigit(buf[p])) p++;
  }
  return p;
}

export class JsonFields {
  /** Per slot: J_* kind of the last value seen, J_NONE when the key was absent. */
  readonly kind: Uint8Array;
  /** Per slot: value start and end (for strings: inside the quotes). */
  readonly vs: Int32Array;
  readonly ve: Int32Array;
  /** Called when the gate slot's value has been read; return false to stop scanning. */
  gate: ((buf: Uint8Array, s: number, e: number, kind: number) => boolean) | null = null;

  /**
   * Wanted keys, found without hashing the whole key: `first[bucket(parent, length, first byte)]` is 1 + the
   * index of the first key of that bucket (0: none), `next` chains the others. 2 KB, so it stays in L1.
   */
  private readonly first = new Int16Array(BUCKETS);
  private readonly next: number[] = [];
  private readonly names: Uint8Array[] = [];
  private readonly parentOf: number[] = [];
  /** Per key: the slot its value is recorded in (-1: a container only routing its children). */
  private readonly slots: number[] = [];
  /** Per key: parent id for the keys of its object value (0 when its children are not wanted). */
  private readonly childs: number[] = [];
  private readonly gateSlot: number;
  private lastKind = J_NONE;

  /**
   * @param paths the wanted keys, slot i for paths[i]: `key` or `parent/key`.
   * @param gatePath a top-level key among `paths` whose value goes to `gate` as soon as it is read.
   */
  constructor(paths: readonly string[], gatePath?: string) {
    const n = paths.length;
    this.kind = new Uint8Array(n);
    this.vs = new Int32Array(n);
    this.ve = new Int32Array(n);
    const parents = new Map<string, number>();
    const enc = new TextEncoder();
    for (const p of paths) {
      const slash = p.indexOf('/');
      if (slash > 0 && !parents.has(p.slice(0, slash))) parents.set(p.slice(0, slash), parents.size + 1);
    }
    const add = (parent: number, name: string, slot: number, child: number): void => {
      const bytes = enc.encode(name);
      if (bytes.length === 0 || bytes.length >= MAX_KEY) throw new RangeError(`JsonFields: bad key ${name}`);
      const at = bucket(parent, bytes.length, bytes[0] ?? 0);
      this.next.push(this.first[at] ?? 0);
      this.first[at] = this.names.length + 1;
      this.names.push(bytes);
      this.parentOf.push(parent);
      this.slots.push(slot);
      this.childs.push(child);
    };
    paths.forEach((p, slot) => {
      const slash = p.indexOf('/');
      if (slash > 0) add(parents.get(p.slice(0, slash)) ?? 0, p.slice(slash + 1), slot, 0);
      else add(0, p, slot, parents.get(p) ?? 0);
    });
    for (const [name, id] of parents) if (!paths.includes(name)) add(0, name, -1, id);
    this.gateSlot = gatePath === undefined ? -1 : paths.indexOf(gatePath);
  }

  /**
   * Scans the object starting at the first non-blank byte of [p, end); the object must end the range (blanks
   * after it are allowed). @returns SCAN_OK, SCAN_BAD (not one object) or SCAN_STOPPED (by the gate).
   */
  scan(buf: Uint8Array, p: number, end: number): number {
    this.kind.fill(J_NONE);
    while (p < end && (buf[p] ?? 33) <= 32) p++;
    if (p >= end || buf[p] !== LBRACE) return SCAN_BAD;
    const q = this.object(buf, p + 1, end, 0);
    if (q === STOP) return SCAN_STOPPED;
    if (q < 0) return SCAN_BAD;
    let r = q;
    while (r < end && (buf[r] ?? 33) <= 32) r++;
    return r === end ? SCAN_OK : SCAN_BAD;
  }

  /** Index of the wanted key buf[s, e) under `parent`, or -1. */
  private lookup(parent: number, buf: Uint8Array, s: number, e: number): number {
    const len = e - s;
    if (len >= MAX_KEY) return -1;
    const c0 = buf[s] ?? 0;
    let k = (this.first[bucket(parent, len, c0)] ?? 0) - 1;
    while (k >= 0) {
      const name = this.names[k] ?? EMPTY;
      if (name.length === len && name[0] === c0 && this.parentOf[k] === parent) {
        let i = 1;
        while (i < len && name[i] === buf[s + i]) i++;
        if (i >= len) return k;
      }
      k = (this.next[k] ?? 0) - 1;
    }
    return -1;
  }

  /** Members of an object whose '{' is just before `p`, keys looked up under `parent` (0 = root). */
  private object(buf: Uint8Array, p: number, end: number, parent: number): number {
    while (p < end && (buf[p] ?? 33) <= 32) p++;
    if (p < end && buf[p] === RBRACE) return p + 1;
    for (;;) {
      if (p >= end || buf[p] !== QUOTE) return BAD;
      const ks = p + 1;
      const ke = stringEnd(buf, ks, end);
      if (ke < 0) return BAD;
      p = ke + 1;
      while (p < end && (buf[p] ?? 33) <= 32) p++;
      if (p >= end || buf[p] !== COLON) return BAD;
      p++;
      while (p < end && (buf[p] ?? 33) <= 32) p++;
      const key = this.lookup(parent, buf, ks, ke);
      const child = key < 0 || parent !== 0 ? 0 : (this.childs[key] ?? 0);
      const c = buf[p];
      let q: number;
      let kind: number;
      if (c === LBRACE && child > 0) {
        q = this.object(buf, p + 1, end, child);
        kind = J_OBJECT;
      } else {
        q = this.value(buf, p, end);
        kind = this.lastKind;
      }
      if (q < 0) return q;
      const slot = key < 0 ? -1 : (this.slots[key] ?? -1);
      if (slot >= 0) {
        this.kind[slot] = kind;
        const string = kind === J_STRING;
        const vs = string ? p + 1 : p;
        const ve = string ? q - 1 : q;
        this.vs[slot] = vs;
        this.ve[slot] = ve;
        if (slot === this.gateSlot && this.gate !== null && !this.gate(buf, vs, ve, kind)) return STOP;
      }
      p = q;
      while (p < end && (buf[p] ?? 33) <= 32) p++;
      if (p >= end) return BAD;
      if (buf[p] === COMMA) {
        p++;
        while (p < end && (buf[p] ?? 33) <= 32) p++;
        continue;
      }
      return buf[p] === RBRACE ? p + 1 : BAD;
    }
  }

  /** A value at `p` whose members are not wanted; sets `lastKind`. */
  private value(buf: Uint8Array, p: number, end: number): number {
    if (p >= end) return BAD;
    const c = buf[p] ?? 0;
    if (c === QUOTE) {
      this.lastKind = J_STRING;
      const e = stringEnd(buf, p + 1, end);
      return e < 0 ? BAD : e + 1;
    }
    if (c === LBRACE || c === LBRACKET) {
      this.lastKind = c === LBRACE ? J_OBJECT : J_ARRAY;
      return containerEnd(buf, p, end);
    }
    if (c === 116) return this.literal(buf, p, end, 114, 117, 101, J_TRUE); // true
    if (c === 110) return this.literal(buf, p, end, 117, 108, 108, J_NULL); // null
    if (c === 102) {
      // false
      if (p + 5 > end || buf[p + 1] !== 97 || buf[p + 2] !== 108 || buf[p + 3] !== 115 || buf[p + 4] !== 101)
        return BAD;
      this.lastKind = J_FALSE;
      return p + 5;
    }
    if (c === 45 || (c >= 48 && c <= 57)) {
      this.lastKind = J_NUMBER;
      return numberEnd(buf, p, end);
    }
    return BAD;
  }

  private literal(
    buf: Uint8Array,
    p: number,
    end: number,
    a: number,
    b: number,
    d: number,
    kind: number,
  ): number {
    if (p + 4 > end || buf[p + 1] !== a || buf[p + 2] !== b || buf[p + 3] !== d) return BAD;
    this.lastKind = kind;
    return p + 4;
  }
}

/** True when buf[s, e) equals the ASCII text `t` (case-sensitive). */
export function bytesEq(buf: Uint8Array, s: number, e: number, t: string): boolean {
  if (e - s !== t.length) return false;
  for (let i = 0; i < t.length; i++) if (buf[s + i] !== t.charCodeAt(i)) return false;
  return true;
}

/** True when buf[s, e) equals the ASCII text `t` ignoring ASCII case (`t` in lower case). */
export function bytesEqLower(buf: Uint8Array, s: number, e: number, t: string): boolean {
  if (e - s !== t.length) return false;
  for (let i = 0; i < t.length; i++) {
    let c = buf[s + i] ?? 0;
    if (c >= 65 && c <= 90) c |= 32;
    if (c !== t.charCodeAt(i)) return false;
  }
  return true;
}

/** A non-negative decimal integer of at most `maxDigits` digits in buf[s, e), or -1. */
export function uintAt(buf: Uint8Array, s: number, e: number, maxDigits = 9): number {
  if (e <= s || e - s > maxDigits) return -1;
  let v = 0;
  for (let i = s; i < e; i++) {
    const c = buf[i] ?? 0;
    if (c < 48 || c > 57) return -1;
    v = v * 10 + (c - 48);
  }
  return v;
}
