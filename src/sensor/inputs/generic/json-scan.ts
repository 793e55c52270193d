/**
 * A byte-level scanner for one JSON object per line (JSON Lines), shared by the JSON inputs (cowrie, dionaea,
 * opencanary, jsonl). It finds the values of a fixed set of wanted paths without building objects.
 *
 * Invariants:
 * - `scan` reads `buf[start, end)` only, never throws and allocates nothing on the usual path (a key written
 *   with backslash escapes is decoded to compare it); it returns false unless the bytes are exactly one JSON
 *   object, optionally followed by white space. Nesting deeper than MAX_DEPTH is refused.
 * - A wanted path `a.b.c` matches a key `a.b.c` at the top level as well as nested objects `{a: {b: {c}}}` and the
 *   mixed forms (`{"a.b": {"c": ..}}`): Zeek writes dotted keys flat, other programs nest them. When a path is
 *   found more than once, the last one wins (as with JSON.parse).
 * - After a successful scan, slot i (the index of the path given to the constructor) holds the value's type and
 *   its bounds: for a string the bytes between the quotes (raw, `esc` set when it holds escapes), for other
 *   values the bytes of the value itself. Bounds refer to the caller's buffer; read them before it is reused.
 */

export const T_NONE = 0;
export const T_STRING = 1;
export const T_NUMBER = 2;
export const T_TRUE = 3;
export const T_FALSE = 4;
export const T_NULL = 5;
export const T_OBJECT = 6;
export const T_ARRAY = 7;

/** Deepest nesting of objects and arrays accepted. */
export const MAX_DEPTH = 64;

const QUOTE = 34;
const BACKSLASH = 92;
const COLON = 58;
const COMMA = 44;
const LBRACE = 123;
const RBRACE = 125;
const LBRACKET = 91;
const RBRACKET = 93;

interface Entry {
  readonly key: Uint8Array;
  readonly keyText: string;
  readonly slots: number[];
  child: Node | null;
}

/** The keys wanted in one object, indexed by key length (most keys of a line are rejected on length alone). */
interface Node {
  readonly entries: Entry[];
  readonly byLength: Array<Entry[] | undefined>;
}

function isWs(c: number | undefined): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 48 && c <= 57;
}

/** Builds the lookup tree of the wanted paths: every split of a dotted path at its dots is one way to reach it. */
function build(paths: ReadonlyArray<readonly [string, number]>): Node {
  const entries: Entry[] = [];
  const entry = (key: string): Entry => {
    let e = entries.find((x) => x.keyText === key);
    if (e === undefined) {
      e = { key: Buffer.from(key, 'utf8'), keyText: key, slots: [], child: null };
      entries.push(e);
    }
    return e;
  };
  const nested = new Map<string, Array<[string, number]>>();
  for (const [path, slot] of paths) {
    entry(path).slots.push(slot);
    for (let i = path.indexOf('.'); i > 0 && i < path.length - 1; i = path.indexOf('.', i + 1)) {
      const head = path.slice(0, i);
      let list = nested.get(head);
      if (list === undefined) nested.set(head, (list = []));
      list.push([path.slice(i + 1), slot]);
    }
  }
  for (const [head, rest] of nested) entry(head).child = build(rest);
  const byLength: Array<Entry[] | undefined> = [];
  for (const e of entries) (byLength[e.key.length] ??= []).push(e);
  return { entries, byLength };
}

export class JsonScanner {
  /** Type of each slot's value (T_NONE when the path was not found). */
  readonly type: Uint8Array;
  /** Start of each slot's value (for strings: after the opening quote). */
  readonly vs: Int32Array;
  /** End of each slot's value (for strings: the closing quote). */
  readonly ve: Int32Array;
  /** 1 when a string value holds backslash escapes. */
  readonly esc: Uint8Array;
  private readonly root: Node;
  private p = 0;
  private depth = 0;
  private lastEsc = 0;

  /** @param paths the wanted paths; slot i is paths[i]. */
  constructor(paths: readonly string[]) {
    this.root = build(paths.map((p, i) => [p, i] as const));
    this.type = new Uint8Array(paths.length);
    this.vs = new Int32Array(paths.length);
    this.ve = new Int32Array(paths.length);
    this.esc = new Uint8Array(paths.length);
  }

  /** Scans the object starting at `start` (which must be '{') up to `end`. @returns false when it is not JSON. */
  scan(buf: Uint8Array, start: number, end: number): boolean {
    const type = this.type;
    for (let i = 0; i < type.length; i++) type[i] = T_NONE;
    if (buf[start] !== LBRACE || start >= end) return false;
    this.p = start;
    this.depth = 0;
    if (!this.object(buf, end, this.root)) return false;
    let p = this.p;
    while (p < end && isWs(buf[p])) p++;
    return p === end;
  }

  private ws(buf: Uint8Array, p: number, end: number): number {
    while (p < end && isWs(buf[p])) p++;
    return p;
  }

  /** Index of the closing quote of a string whose content starts at p, or -1; sets lastEsc. */
  private stringEnd(buf: Uint8Array, p: number, end: number): number {
    let esc = 0;
    while (p < end) {
      const c = buf[p];
      if (c === QUOTE) {
        this.lastEsc = esc;
        return p;
      }
      if (c === BACKSLASH) {
        esc = 1;
        p += 2;
      } else {
        p++;
      }
    }
    return -1;
  }

  /**
   * The closing quote of a string that is not wanted (its escapes do not matter): found with the native
   * indexOf, falling back to the byte loop when a backslash precedes the quote found.
   */
  private skipString(buf: Uint8Array, p: number, end: number): number {
    const q = buf.indexOf(QUOTE, p);
    if (q < 0 || q >= end) return -1;
    if (buf[q - 1] !== BACKSLASH) return q;
    return this.stringEnd(buf, p, end);
  }

  /** End of a number starting at p (JSON grammar), or -1. */
  private numberEnd(buf: Uint8Array, p: number, end: number): number {
    if (p < end && buf[p] === 45) p++;
    const intStart = p;
    while (p < end && isDigit(buf[p])) p++;
    if (p === intStart || (buf[intStart] === 48 && p - intStart > 1)) return -1; // no digits, or a leading 0
    if (p < end && buf[p] === 46) {
      const f = ++p;
      while (p < end && isDigit(buf[p])) p++;
      if (p === f) return -1;
    }
    if (p < end && (buf[p] === 101 || buf[p] === 69)) {
      p++;
      if (p < end && (buf[p] === 43 || buf[p] === 45)) p++;
      const e = p;
      while (p < end && isDigit(buf[p])) p++;
      if (p === e) return -1;
    }
    return p;
  }

  private literal(buf: Uint8Array, p: number, end: number, word: string): boolean {
    if (p + word.length > end) return false;
    for (let i = 0; i < word.length; i++) if (buf[p + i] !== word.charCodeAt(i)) return false;
    return true;
  }

  /** The entry of `node` whose key is the string in [ks, ke), or null. */
  private match(node: Node, buf: Uint8Array, ks: number, ke: number, esc: number): Entry | null {
    if (esc) {
      const text = decodeJsonString(buf, ks, ke);
      if (text === null) return null;
      for (const e of node.entries) if (e.keyText === text) return e;
      return null;
    }
    const len = ke - ks;
    const candidates = node.byLength[len];
    if (candidates === undefined) return null;
    outer: for (const e of candidates) {
      const k = e.key;
      for (let i = 0; i < len; i++) if (k[i] !== buf[ks + i]) continue outer;
      return e;
    }
    return null;
  }

  /** An object at this.p ('{'); leaves this.p after its '}'. */
  private object(buf: Uint8Array, end: number, node: Node | null): boolean {
    if (++this.depth > MAX_DEPTH) return false;
    let p = this.ws(buf, this.p + 1, end);
    if (p < end && buf[p] === RBRACE) {
      this.p = p + 1;
      this.depth--;
      return true;
    }
    for (;;) {
      if (p >= end || buf[p] !== QUOTE) return false;
      const ks = p + 1;
      const ke = this.stringEnd(buf, ks, end);
      if (ke < 0) return false;
      const kesc = this.lastEsc;
      p = this.ws(buf, ke + 1, end);
      if (p >= end || buf[p] !== COLON) return false;
      this.p = this.ws(buf, p + 1, end);
      const entry = node === null ? null : this.match(node, buf, ks, ke, kesc);
      if (!this.value(buf, end, entry)) return false;
      p = this.ws(buf, this.p, end);
      if (p >= end) return false;
      const c = buf[p];
      if (c === COMMA) {
        p = this.ws(buf, p + 1, end);
        continue;
      }
      if (c === RBRACE) {
        this.p = p + 1;
        this.depth--;
        return true;
      }
      return false;
    }
  }

  /** An array at this.p ('['); its values are never wanted. */
  private array(buf: Uint8Array, end: number): boolean {
    if (++this.depth > MAX_DEPTH) return false;
    let p = this.ws(buf, this.p + 1, end);
    if (p < end && buf[p] === RBRACKET) {
      this.p = p + 1;
      this.depth--;
      return true;
    }
    for (;;) {
      this.p = p;
      if (!this.value(buf, end, null)) return false;
      p = this.ws(buf, this.p, end);
      if (p >= end) return false;
      const c = buf[p];
      if (c === COMMA) {
        p = this.ws(buf, p + 1, end);
        continue;
      }
      if (c === RBRACKET) {
        this.p = p + 1;
        this.depth--;
        return true;
      }
      return false;
    }
  }

  /** Any value at this.p; records it in the entry's slots. */
  private value(buf: Uint8Array, end: number, entry: Entry | null): boolean {
    const p = this.p;
    if (p >= end) return false;
    const c = buf[p];
    let t: number;
    let vs = p;
    let ve: number;
    let esc = 0;
    if (c === QUOTE) {
      const q = entry === null ? this.skipString(buf, p + 1, end) : this.stringEnd(buf, p + 1, end);
      if (q < 0) return false;
      t = T_STRING;
      vs = p + 1;
      ve = q;
      esc = this.lastEsc;
      this.p = q + 1;
    } else if (c === LBRACE) {
      if (!this.object(buf, end, entry === null ? null : entry.child)) return false;
      t = T_OBJECT;
      ve = this.p;
    } else if (c === LBRACKET) {
      if (!this.array(buf, end)) return false;
      t = T_ARRAY;
      ve = this.p;
    } else if (c === 45 || isDigit(c)) {
      const q = this.numberEnd(buf, p, end);
      if (q < 0) return false;
      t = T_NUMBER;
      ve = this.p = q;
    } else if (c === 116 && this.literal(buf, p, end, 'true')) {
      t = T_TRUE;
      ve = this.p = p + 4;
    } else if (c === 102 && this.literal(buf, p, end, 'false')) {
      t = T_FALSE;
      ve = this.p = p + 5;
    } else if (c === 110 && this.literal(buf, p, end, 'null')) {
      t = T_NULL;
      ve = this.p = p + 4;
    } else {
      return false;
    }
    if (entry !== null) {
      for (const s of entry.slots) {
        this.type[s] = t;
        this.vs[s] = vs;
        this.ve[s] = ve;
        this.esc[s] = esc;
      }
    }
    return true;
  }
}

/** The text of the JSON string content in [s, e) (escapes resolved), or null when an escape is invalid. */
export function decodeJsonString(buf: Uint8Array, s: number, e: number): string | null {
  const raw = Buffer.from(buf.buffer, buf.byteOffset + s, e - s).toString('utf8');
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return null;
  }
}

/**
 * Where the JSON object of a line starts: at the first non-blank byte when that is '{', else (a syslog or
 * program prefix such as `opencanaryd[9]: node WARNING {...}`) at the first '{' within the first `window` bytes.
 * @returns the index of '{' or -1.
 */
export function jsonStart(buf: Uint8Array, start: number, end: number, window = 1024): number {
  if (buf[start] === LBRACE) return start;
  const limit = Math.min(end, start + window);
  for (let i = start; i < limit; i++) if (buf[i] === LBRACE) return i;
  return -1;
}
