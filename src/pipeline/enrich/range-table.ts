/**
 * Address-range tables in typed arrays: a partition of the whole IPv4 (or IPv6) space into runs, each run a start
 * address and a value, found by binary search. Value 0 means "no data"; other values are ids the caller defines.
 *
 * Invariants of a finished table:
 * - starts are strictly ascending and the first is address 0, so every address falls in exactly one run;
 * - two neighbouring runs never have the same value (equal neighbours are merged when built);
 * - IPv6 starts are four big-endian uint32 words per run, in one Uint32Array (no BigInt on the lookup path);
 * - an IPv4 table also indexes its runs by /16, so a search covers only the runs of one /16 (a few steps
 *   instead of about 19).
 *
 * Builders take inclusive [first, last] ranges in ascending order. A range that starts inside the previous one
 * (an overlap; the upstream files have a few) is clipped to begin after it, so the earlier row wins; a range
 * that starts before the previous range's start is refused ("unsorted"): the caller makes that an error.
 */

export type AddStatus = 'ok' | 'overlap' | 'unsorted';

/** An append-only uint32 list in a typed array that doubles when full. */
class U32List {
  data = new Uint32Array(1024);
  length = 0;

  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = new Uint32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }

  last(): number {
    return this.data[this.length - 1] ?? 0;
  }

  /** A right-sized copy. */
  done(): Uint32Array {
    return this.data.slice(0, this.length);
  }
}

/** IPv4 table: lookups by uint32. */
export class RangeTable4 {
  /** For each /16 h, the run holding h.0.0 (and one more entry, the last run): a search spans one /16. */
  private readonly index = new Uint32Array(65537);

  constructor(
    readonly starts: Uint32Array,
    readonly values: Uint32Array,
  ) {
    let run = 0;
    for (let h = 0; h < 65536; h++) {
      const a = h * 65536;
      while (run + 1 < starts.length && (starts[run + 1] ?? 0) <= a) run++;
      this.index[h] = run;
    }
    this.index[65536] = starts.length - 1;
  }

  get runs(): number {
    return this.starts.length;
  }

  get bytes(): number {
    return this.starts.byteLength + this.values.byteLength + this.index.byteLength;
  }

  /** The value of the run holding `a` (a uint32). */
  get(a: number): number {
    const s = this.starts;
    const h = a >>> 16;
    let lo = this.index[h] ?? 0;
    let hi = this.index[h + 1] ?? 0;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((s[mid] ?? 0) <= a) lo = mid;
      else hi = mid - 1;
    }
    return this.values[lo] ?? 0;
  }
}

export class RangeBuilder4 {
  private readonly starts = new U32List();
  private readonly values = new U32List();
  /** First address not covered yet (2^32 once the space is full). */
  private next = 0;
  private lastFirst = 0;

  /** Adds [first, last] (uint32, inclusive) with `value` (> 0). */
  add(first: number, last: number, value: number): AddStatus {
    if (first < this.lastFirst) return 'unsorted';
    this.lastFirst = first;
    let status: AddStatus = 'ok';
    if (first < this.next) {
      status = 'overlap';
      first = this.next;
      if (first > last) return status;
    }
    if (first > this.next) this.push(this.next, 0);
    this.push(first, value);
    this.next = last + 1;
    return status;
  }

  finish(): RangeTable4 {
    if (this.next <= 0xffffffff) this.push(this.next, 0);
    return new RangeTable4(this.starts.done(), this.values.done());
  }

  private push(start: number, value: number): void {
    if (this.values.length > 0 && this.values.last() === value) return;
    this.starts.push(start);
    this.values.push(value);
  }
}

/** -1, 0 or 1 as a (four words) compares with b. */
function cmp(a: ArrayLike<number>, ai: number, b: ArrayLike<number>, bi: number): number {
  for (let k = 0; k < 4; k++) {
    const x = a[ai + k] ?? 0;
    const y = b[bi + k] ?? 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** IPv6 table: lookups by four big-endian words. */
export class RangeTable6 {
  constructor(
    /** Four words per run. */
    readonly starts: Uint32Array,
    readonly values: Uint32Array,
  ) {}

  get runs(): number {
    return this.values.length;
  }

  get bytes(): number {
    return this.starts.byteLength + this.values.byteLength;
  }

  /** The value of the run holding the address w0:w1:w2:w3. */
  get(w0: number, w1: number, w2: number, w3: number): number {
    const s = this.starts;
    let lo = 0;
    let hi = this.values.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      const m = mid * 4;
      const s0 = s[m] ?? 0;
      let le: boolean;
      if (s0 !== w0) le = s0 < w0;
      else {
        const s1 = s[m + 1] ?? 0;
        if (s1 !== w1) le = s1 < w1;
        else {
          const s2 = s[m + 2] ?? 0;
          le = s2 !== w2 ? s2 < w2 : (s[m + 3] ?? 0) <= w3;
        }
      }
      if (le) lo = mid;
      else hi = mid - 1;
    }
    return this.values[lo] ?? 0;
  }
}

export class RangeBuilder6 {
  private readonly starts = new U32List();
  private readonly values = new U32List();
  /** First address not covered yet; `full` once the space is. */
  private readonly next = new Uint32Array(4);
  private full = false;
  private readonly lastFirst = new Uint32Array(4);
  private readonly first = new Uint32Array(4);

  /** Adds [first, last] (four words each, inclusive) with `value` (> 0). */
  add(firstIn: ArrayLike<number>, last: ArrayLike<number>, value: number): AddStatus {
    const first = this.first;
    for (let k = 0; k < 4; k++) first[k] = firstIn[k] ?? 0;
    if (cmp(first, 0, this.lastFirst, 0) < 0) return 'unsorted';
    this.lastFirst.set(first);
    let status: AddStatus = 'ok';
    if (this.full || cmp(first, 0, this.next, 0) < 0) {
      status = 'overlap';
      if (this.full) return status;
      first.set(this.next);
      if (cmp(first, 0, last, 0) > 0) return status;
    }
    if (cmp(first, 0, this.next, 0) > 0) this.push(this.next, 0);
    this.push(first, value);
    // next = last + 1, with carry; all ones + 1 fills the space.
    let carry = 1;
    for (let k = 3; k >= 0; k--) {
      const v = (last[k] ?? 0) + carry;
      this.next[k] = v >>> 0;
      carry = v > 0xffffffff ? 1 : 0;
    }
    this.full = carry === 1;
    return status;
  }

  finish(): RangeTable6 {
    if (!this.full) this.push(this.next, 0);
    return new RangeTable6(this.starts.done(), this.values.done());
  }

  private push(start: ArrayLike<number>, value: number): void {
    if (this.values.length > 0 && this.values.last() === value) return;
    for (let k = 0; k < 4; k++) this.starts.push(start[k] ?? 0);
    this.values.push(value);
  }
}
