/**
 * Loads a country MMDB file (MaxMind DB format 2.0, https://maxmind.github.io/MaxMind-DB/; records holding a
 * `country_code`, as the ip-location-db country files do) and converts its search tree into range tables.
 *
 * Why convert: mmdb-lib's get() does 0.4-1.0M IPv4 lookups/s on our 2-core machine (bench/geo.bench.ts: string
 * parsing, then a bit-by-bit walk of up to 32 nodes of 3-byte reads), below the 1M/s the country and the ASN
 * together must reach. The tree is walked once here (every leaf, in address order) into a RangeTable4/6, and
 * the file's buffer is let go; country and ASN together then answer 4-6x faster than mmdb-lib's country alone
 * (same bench, alternated runs).
 * mmdb-lib parses the metadata and decodes each distinct data record (a few hundred), through its public API.
 *
 * Invariants:
 * - IPv4 comes from the IPv4 subtree (::/96 in an IPv6 database); IPv6 only from 2000::/3, the global unicast
 *   space (anything else answers null), which also leaves out the IPv4-mapped and -compatible subtrees.
 * - Every data record must hold a two-letter upper-case country_code; a record without one, a pointer out of
 *   the data section, a tree deeper than the address or one that is not a tree (more than 4 visits per node)
 *   is an SW_CONFIG_INVALID error naming the file.
 */
import { readFileSync } from 'node:fs';
import { Reader } from 'mmdb-lib';
import type { Response } from 'mmdb-lib';
import { makeError } from '../../core/errors.js';
import { RangeBuilder4, RangeBuilder6 } from './range-table.js';
import type { RangeTable4, RangeTable6 } from './range-table.js';

export interface CountryTables {
  v4: RangeTable4;
  v6: RangeTable6 | null;
  /** Country codes by id; index 0 is unused (no data). */
  codes: ReadonlyArray<string | null>;
  /** When the database was built, from its metadata. */
  built: Date;
}

class TreeError extends Error {}

/** Reads the two records of tree nodes, for record sizes 24, 28 and 32 bits (spec: "Node Layout"). */
function nodeReader(db: Buffer, recordSize: number): (node: number, right: number) => number {
  const u24 = (o: number): number => ((db[o] ?? 0) << 16) | ((db[o + 1] ?? 0) << 8) | (db[o + 2] ?? 0);
  switch (recordSize) {
    case 24:
      return (node, right) => u24(node * 6 + right * 3);
    case 28:
      return (node, right) => {
        const base = node * 7;
        const middle = db[base + 3] ?? 0;
        return right === 0
          ? (middle & 0xf0) * 0x100000 + u24(base)
          : (middle & 0x0f) * 0x1000000 + u24(base + 4);
      };
    case 32:
      return (node, right) => db.readUInt32BE(node * 8 + right * 4);
    default:
      throw new TreeError(`unsupported record size ${recordSize} bits`);
  }
}

/** A country database's data section is a few kB; a larger one is some other kind of database. */
const MAX_DATA_BYTES = 64 * 1024 * 1024;

function v4Text(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

function v6Text(w: Uint32Array): string {
  let s = '';
  for (let k = 0; k < 4; k++) {
    const v = w[k] ?? 0;
    s += `${k ? ':' : ''}${(v >>> 16).toString(16)}:${(v & 0xffff).toString(16)}`;
  }
  return s;
}

/** Loads `path`; `label` (the config key and the path) starts every error message. */
export function loadCountryMmdb(path: string, label: string): CountryTables {
  let db: Buffer;
  try {
    db = readFileSync(path);
  } catch (err) {
    throw makeError('SW_CONFIG_INVALID', `${label}: cannot read the file (${(err as Error).message})`, {
      cause: err,
    });
  }
  try {
    return convert(db);
  } catch (err) {
    throw makeError(
      'SW_CONFIG_INVALID',
      `${label}: not a usable country MMDB file: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
}

function convert(db: Buffer): CountryTables {
  const reader = new Reader<Response>(db);
  const { nodeCount, recordSize, ipVersion, searchTreeSize, buildEpoch } = reader.metadata;
  if (!Number.isInteger(nodeCount) || nodeCount <= 0 || searchTreeSize + 16 > db.length)
    throw new TreeError(`search tree of ${nodeCount} nodes does not fit in ${db.length} bytes`);
  if (ipVersion !== 4 && ipVersion !== 6) throw new TreeError(`ip_version ${ipVersion}`);
  const dataSize = db.length - searchTreeSize - 16;
  if (dataSize > MAX_DATA_BYTES)
    throw new TreeError(`data section of ${dataSize} bytes: not a country database`);
  const walker = new TreeWalker(reader, nodeReader(db, recordSize), nodeCount, dataSize);
  return {
    v4: walker.ipv4(ipVersion === 6),
    v6: ipVersion === 6 ? walker.ipv6() : null,
    codes: walker.codes,
    built: buildEpoch,
  };
}

/** Walks the search tree leaf by leaf, in address order, into range tables. */
class TreeWalker {
  readonly codes: Array<string | null> = [null];
  /** Country id by data-section offset (-1: not decoded yet); a few hundred distinct records. */
  private readonly ids: Int32Array;
  /** The IPv6 network being visited: its bits above the current depth. */
  private readonly prefix = Uint32Array.of(0x20000000, 0, 0, 0);
  private readonly last = new Uint32Array(4);
  /** Nodes visited, bounded: shared subtrees (aliases) are legal, but a file must not make us walk forever. */
  private visits = 0;

  constructor(
    private readonly reader: Reader<Response>,
    private readonly read: (node: number, right: number) => number,
    private readonly nodeCount: number,
    dataSize: number,
  ) {
    this.ids = new Int32Array(Math.max(0, dataSize)).fill(-1);
  }

  /** The IPv4 table: the subtree under 96 zero bits of an IPv6 tree (as mmdb-lib finds it), or the tree. */
  ipv4(inIPv6Tree: boolean): RangeTable4 {
    const b4 = new RangeBuilder4();
    let node = 0;
    for (let i = 0; inIPv6Tree && i < 96 && node < this.nodeCount; i++) node = this.read(node, 0);
    if (node < this.nodeCount) this.walk4(b4, node, 0, 0);
    else {
      const value = this.leafValue(node, 0);
      if (value !== 0) b4.add(0, 0xffffffff, value);
    }
    return b4.finish();
  }

  /** The IPv6 table, of 2000::/3 only (bits 0, 0, 1 from the root). */
  ipv6(): RangeTable6 {
    const b6 = new RangeBuilder6();
    let n = 0;
    let depth = 0;
    for (const bit of [0, 0, 1]) {
      if (n >= this.nodeCount) break;
      n = this.read(n, bit);
      depth++;
    }
    if (n < this.nodeCount) this.walk6(b6, n, depth);
    else this.leaf6(b6, n, 3); // a leaf above 2000::/3 covers all of it
    return b6.finish();
  }

  private visit(): void {
    if (++this.visits > 4 * this.nodeCount + 256) throw new TreeError('the search tree is not a tree');
  }

  private walk4(b4: RangeBuilder4, n: number, depth: number, base: number): void {
    this.visit();
    for (let bit = 0; bit < 2; bit++) {
      const start = base + bit * 2 ** (31 - depth);
      const record = this.read(n, bit);
      if (record < this.nodeCount) {
        if (depth === 31) throw new TreeError('IPv4 search tree deeper than 32 bits');
        this.walk4(b4, record, depth + 1, start);
      } else {
        const value = this.leafValue(record, start);
        if (value !== 0) b4.add(start, start + 2 ** (31 - depth) - 1, value);
      }
    }
  }

  private walk6(b6: RangeBuilder6, n: number, depth: number): void {
    this.visit();
    const prefix = this.prefix;
    const k = depth >>> 5;
    const mask = (1 << (31 - (depth & 31))) >>> 0;
    for (let bit = 0; bit < 2; bit++) {
      if (bit) prefix[k] = ((prefix[k] ?? 0) | mask) >>> 0;
      const record = this.read(n, bit);
      if (record < this.nodeCount) {
        if (depth === 127) throw new TreeError('IPv6 search tree deeper than 128 bits');
        this.walk6(b6, record, depth + 1);
      } else this.leaf6(b6, record, depth + 1);
      if (bit) prefix[k] = ((prefix[k] ?? 0) & ~mask) >>> 0;
    }
  }

  /** Adds the leaf `record` covering prefix/depth. */
  private leaf6(b6: RangeBuilder6, record: number, depth: number): void {
    const value = this.leafValue(record, -1);
    if (value === 0) return;
    for (let k = 0; k < 4; k++) {
      const free = Math.min(32, Math.max(0, (k + 1) * 32 - depth)); // host bits in word k
      this.last[k] = free === 32 ? 0xffffffff : ((this.prefix[k] ?? 0) | ((1 << free) - 1)) >>> 0;
    }
    b6.add(this.prefix, this.last, value);
  }

  /** Country id of a leaf record (0: no data); the leaf starts at `v4start`, or at `prefix` when that is -1. */
  private leafValue(record: number, v4start: number): number {
    if (record === this.nodeCount) return 0;
    const offset = record - this.nodeCount - 16; // spec: "Pointer Values"
    const known = this.ids[offset] ?? -2;
    if (known >= 0) return known;
    if (known === -2) throw new TreeError(`record ${record} points outside the data section`);
    // mmdb-lib walks to the same record from an address inside the leaf and decodes it. The record is whatever
    // the file holds: read as unknown and checked.
    const text = v4start >= 0 ? v4Text(v4start) : v6Text(this.prefix);
    const code = (this.reader.get(text) as { country_code?: unknown } | null)?.country_code;
    if (typeof code !== 'string' || !/^[A-Z]{2}$/.test(code))
      throw new TreeError(`the record of ${text} has no two-letter country_code (${JSON.stringify(code)})`);
    let id = this.codes.indexOf(code);
    if (id < 0) id = this.codes.push(code) - 1;
    this.ids[offset] = id;
    return id;
  }
}
