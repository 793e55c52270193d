/**
 * The framing of capture files: classic pcap (pcap-savefile(5)) and pcapng (draft-ietf-opsawg-pcapng), told
 * apart by the first four bytes. Packets are handed to PacketReader (packet.ts).
 *
 * Classic pcap: a 24-byte file header (magic, version 2.x, thiszone, sigfigs, snaplen, link type) in the byte
 * order the magic tells: a1b2c3d4 microseconds, a1b23c4d nanoseconds, a1b2cd34 Kuznetzov's modified format
 * (24-byte record headers); then records of 16 bytes (ts_sec, ts_frac, incl_len, orig_len) + incl_len bytes.
 * A record shorter than the packet (incl_len < orig_len, snaplen) is decoded as far as its bytes go.
 *
 * pcapng: blocks of (type, total length, body, total length again), every block a multiple of 4 bytes. A
 * Section Header Block (0x0a0d0d0a) sets the byte order (from its byte-order magic) and starts a new section:
 * the interface list is emptied. Interface Description Blocks (1) declare link type, if_tsresol (9) and
 * if_tsoffset (14); Enhanced Packet Blocks (6), obsolete Packet Blocks (2) and Simple Packet Blocks (3, always
 * interface 0, no time stamp: the clock's time is used) carry packets; every other block is skipped by length.
 *
 * Invariants:
 * - `feed` never throws (a guard turns an unexpected error into `fatal`; an exception from `onResult` is the
 *   caller's and is rethrown), consumes whole records only, calls `onResult(result, recordEnd)` once per packet
 *   record with `recordEnd` the offset in `buf` just past that record, and always terminates: every step either
 *   consumes at least 8 bytes or waits for more.
 * - Fatal (sticky: every later feed returns it and consumes nothing): a bad magic or impossible file header,
 *   a pcap record longer than max(256 KiB, snaplen up to 16 MiB), a pcapng block whose length is below 12, not
 *   a multiple of 4, above 16 MiB or differs from its trailing copy, an SHB shorter than 28 bytes or with a bad
 *   byte-order magic or major version. A stream cannot resync reliably after such corruption; the reason names
 *   the file offset.
 * - Packet-level problems are malformed results (reasons in packet.ts): `unknown_interface` (a packet block for
 *   an interface no IDB declared), `bad_block` (a packet block too short for its fields or its captured
 *   length, or on an interface whose IDB was too short), `bad_timestamp` (sub-second field out of range, a
 *   time resolution that cannot be represented, a time below 0 or above 2^53 ms).
 * - Results keep no reference to `buf`: PacketReader builds fresh strings.
 */
import { systemClock } from '../../../core/clock.js';
import type { Clock } from '../../../core/clock.js';
import type { PacketDecoder, ParseResult } from '../input.js';
import { NetworkList } from './networks.js';
import { MALFORMED, PacketReader } from './packet.js';

/** libpcap's MAXIMUM_SNAPLEN: the largest classic record accepted unless the header's snaplen is larger. */
export const PCAP_RECORD_CAP = 256 * 1024;
/** The largest pcapng block accepted. */
export const PCAPNG_BLOCK_CAP = 16 * 1024 * 1024;

const MAGIC_USEC = 0xa1b2c3d4;
const MAGIC_NSEC = 0xa1b23c4d;
const MAGIC_MODIFIED = 0xa1b2cd34;
const SHB = 0x0a0d0d0a;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const BLOCK_IDB = 1;
const BLOCK_PB = 2;
const BLOCK_SPB = 3;
const BLOCK_EPB = 6;
const OPT_TSRESOL = 9;
const OPT_TSOFFSET = 14;
const TWO32 = 4294967296;

/** Decoder states: before the magic, classic pcap records, pcapng blocks, stopped by a fatal error. */
const Mode = { Start: 0, Pcap: 1, Pcapng: 2, Fatal: 3 } as const;
type Mode = (typeof Mode)[keyof typeof Mode];

/** A pcapng interface: its link type and how to turn its 64-bit time stamps into ms. */
export interface PcapngInterface {
  /** -1 when the IDB was too short to tell. */
  linkType: number;
  /** Ticks per second is 10^exp (decimal) or 2^exp (binary). */
  binary: boolean;
  exp: number;
  /** if_tsoffset in seconds (added to every time stamp). */
  offsetSec: number;
}

export interface PcapDecoderOptions {
  /** Sources in these networks (CIDR) are the protected network's own: their packets are skip `outbound`. */
  localNetworks?: readonly string[] | undefined;
  /** Time of Simple Packet Blocks (they carry none). */
  clock?: Clock;
}

const hex = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

export class PcapDecoder implements PacketDecoder {
  readonly type = 'pcap';
  private mode: Mode = Mode.Start;
  private fatalReason = '';
  /** File offset of `buf[0]` in the current feed (bytes consumed by earlier feeds). */
  private base = 0;
  private le = true;
  // Classic pcap.
  private nano = false;
  private recordHeader = 16;
  private linkType = 0;
  private recordCap = PCAP_RECORD_CAP;
  // pcapng.
  private ifaces: PcapngInterface[] = [];
  private readonly reader: PacketReader;
  private readonly clock: Clock;
  private inCallback = false;

  constructor(opts: PcapDecoderOptions = {}) {
    const nets = opts.localNetworks ?? [];
    this.reader = new PacketReader(nets.length > 0 ? new NetworkList(nets) : null);
    this.clock = opts.clock ?? systemClock;
  }

  feed(
    buf: Uint8Array,
    onResult: (r: ParseResult, recordEnd: number) => void,
  ): { consumed: number; fatal?: string } {
    if (this.mode === Mode.Fatal) return { consumed: 0, fatal: this.fatalReason };
    const cursor = { p: 0 };
    try {
      const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
      const emit = (r: ParseResult, end: number): void => {
        this.inCallback = true;
        onResult(r, end);
        this.inCallback = false;
      };
      if (this.mode === Mode.Start) this.start(buf, view, cursor);
      if (this.mode === Mode.Pcap) this.pcapRecords(buf, view, cursor, emit);
      else if (this.mode === Mode.Pcapng) this.pcapngBlocks(buf, view, cursor, emit);
    } catch (err) {
      if (this.inCallback) {
        this.inCallback = false;
        throw err;
      }
      this.fail(`decoder error at offset ${this.base + cursor.p}: ${String(err)}`);
    }
    if ((this.mode as Mode) === Mode.Fatal) return { consumed: cursor.p, fatal: this.fatalReason };
    this.base += cursor.p;
    return { consumed: cursor.p };
  }

  private fail(reason: string): void {
    this.mode = Mode.Fatal;
    this.fatalReason = reason;
  }

  private u32(view: DataView, at: number): number {
    return view.getUint32(at, this.le);
  }

  /** Reads the magic and, for classic pcap, the file header. */
  private start(buf: Uint8Array, view: DataView, cursor: { p: number }): void {
    if (buf.length < 4) return;
    const magicLe = view.getUint32(0, true);
    const magicBe = view.getUint32(0, false);
    if (magicLe === SHB) {
      this.mode = Mode.Pcapng;
      return;
    }
    let magic: number;
    if (magicLe === MAGIC_USEC || magicLe === MAGIC_NSEC || magicLe === MAGIC_MODIFIED) {
      this.le = true;
      magic = magicLe;
    } else if (magicBe === MAGIC_USEC || magicBe === MAGIC_NSEC || magicBe === MAGIC_MODIFIED) {
      this.le = false;
      magic = magicBe;
    } else {
      this.fail(`not a pcap or pcapng file: magic ${hex(magicBe)} at offset 0`);
      return;
    }
    if (buf.length < 24) return;
    const major = view.getUint16(4, this.le);
    const minor = view.getUint16(6, this.le);
    if (major !== 2) {
      this.fail(`not a readable pcap file: version ${major}.${minor} at offset 4 (only 2.x exists)`);
      return;
    }
    this.nano = magic === MAGIC_NSEC;
    this.recordHeader = magic === MAGIC_MODIFIED ? 24 : 16;
    const snaplen = this.u32(view, 16);
    this.recordCap = Math.max(PCAP_RECORD_CAP, Math.min(snaplen, PCAPNG_BLOCK_CAP));
    this.linkType = this.u32(view, 20) & 0x03ffffff; // the upper bits carry FCS information
    this.mode = Mode.Pcap;
    cursor.p = 24;
  }

  private pcapRecords(
    buf: Uint8Array,
    view: DataView,
    cursor: { p: number },
    emit: (r: ParseResult, end: number) => void,
  ): void {
    const hdr = this.recordHeader;
    const unit = this.nano ? 1e9 : 1e6;
    const perMs = this.nano ? 1e6 : 1e3;
    let p = cursor.p;
    while (buf.length - p >= hdr) {
      const incl = this.u32(view, p + 8);
      if (incl > this.recordCap) {
        this.fail(
          `pcap record at offset ${this.base + p}: captured length ${incl} above the limit ${this.recordCap}`,
        );
        break;
      }
      const end = p + hdr + incl;
      if (end > buf.length) break;
      const sec = this.u32(view, p);
      const frac = this.u32(view, p + 4);
      const r =
        frac >= unit
          ? MALFORMED.bad_timestamp
          : this.reader.read(buf, p + hdr, end, this.linkType, sec * 1000 + Math.floor(frac / perMs));
      p = end;
      cursor.p = p;
      emit(r, end);
    }
    cursor.p = p;
  }

  private pcapngBlocks(
    buf: Uint8Array,
    view: DataView,
    cursor: { p: number },
    emit: (r: ParseResult, end: number) => void,
  ): void {
    let p = cursor.p;
    while (buf.length - p >= 8) {
      const at = this.base + p;
      let type = this.u32(view, p);
      if (type === SHB) {
        if (buf.length - p < 12) break;
        const bom = view.getUint32(p + 8, true);
        if (bom === BYTE_ORDER_MAGIC) this.le = true;
        else if (bom === 0x4d3c2b1a) this.le = false;
        else {
          this.fail(`pcapng section header at offset ${at}: bad byte-order magic ${hex(bom)}`);
          break;
        }
        type = SHB;
      }
      const len = this.u32(view, p + 4);
      if (len < 12 || len % 4 !== 0 || (type === SHB && len < 28)) {
        this.fail(`pcapng block at offset ${at}: invalid total length ${len}`);
        break;
      }
      if (len > PCAPNG_BLOCK_CAP) {
        this.fail(`pcapng block at offset ${at}: total length ${len} above the limit ${PCAPNG_BLOCK_CAP}`);
        break;
      }
      const end = p + len;
      if (end > buf.length) break;
      const trailer = this.u32(view, end - 4);
      if (trailer !== len) {
        this.fail(`pcapng block at offset ${at}: trailing length ${trailer} differs from ${len}`);
        break;
      }
      if (type === SHB) {
        const major = view.getUint16(p + 12, this.le);
        if (major !== 1) {
          this.fail(`pcapng section header at offset ${at}: unsupported version ${major}`);
          break;
        }
        this.ifaces = [];
      } else if (type === BLOCK_IDB) {
        this.ifaces.push(this.interfaceBlock(view, p, end));
      } else if (type === BLOCK_EPB || type === BLOCK_PB || type === BLOCK_SPB) {
        const r = this.packetBlock(buf, view, type, p, end);
        p = end;
        cursor.p = p;
        emit(r, end);
        continue;
      }
      p = end;
    }
    cursor.p = p;
  }

  private interfaceBlock(view: DataView, p: number, end: number): PcapngInterface {
    const iface: PcapngInterface = { linkType: -1, binary: false, exp: 6, offsetSec: 0 };
    if (end - 4 - (p + 8) < 8) return iface;
    iface.linkType = view.getUint16(p + 8, this.le);
    // Options: code (2), length (2), value padded to 4 bytes; code 0 ends the list.
    let o = p + 16;
    while (end - 4 - o >= 4) {
      const code = view.getUint16(o, this.le);
      const olen = view.getUint16(o + 2, this.le);
      if (code === 0 || o + 4 + olen > end - 4) break;
      if (code === OPT_TSRESOL && olen >= 1) {
        const v = view.getUint8(o + 4);
        iface.binary = (v & 0x80) !== 0;
        iface.exp = v & 0x7f;
      } else if (code === OPT_TSOFFSET && olen >= 8) {
        iface.offsetSec = Number(view.getBigInt64(o + 4, this.le));
      }
      o += 4 + ((olen + 3) & ~3);
    }
    return iface;
  }

  private packetBlock(buf: Uint8Array, view: DataView, type: number, p: number, end: number): ParseResult {
    const body = end - 4 - (p + 8);
    if (type === BLOCK_SPB) {
      if (body < 4) return MALFORMED.bad_block;
      const iface = this.ifaces[0];
      if (iface === undefined) return MALFORMED.unknown_interface;
      if (iface.linkType < 0) return MALFORMED.bad_block;
      const caplen = Math.min(this.u32(view, p + 8), body - 4);
      return this.reader.read(buf, p + 12, p + 12 + caplen, iface.linkType, this.clock.now());
    }
    if (body < 20) return MALFORMED.bad_block;
    const id = type === BLOCK_EPB ? this.u32(view, p + 8) : view.getUint16(p + 8, this.le);
    const caplen = this.u32(view, p + 20);
    if (caplen > body - 20) return MALFORMED.bad_block;
    const iface = this.ifaces[id];
    if (iface === undefined) return MALFORMED.unknown_interface;
    if (iface.linkType < 0) return MALFORMED.bad_block;
    const ts = ticksToMs(this.u32(view, p + 12), this.u32(view, p + 16), iface);
    if (ts < 0) return MALFORMED.bad_timestamp;
    return this.reader.read(buf, p + 28, p + 28 + caplen, iface.linkType, ts);
  }
}

/**
 * A 64-bit pcapng time stamp (`hi`, `lo`) in the interface's resolution to whole ms (floor), or -1 when it is
 * not representable. Exact: decimal resolutions up to 10^-9 use integer arithmetic on doubles below 2^53,
 * anything else BigInt.
 */
export function ticksToMs(hi: number, lo: number, iface: PcapngInterface): number {
  let ms: number;
  if (!iface.binary && iface.exp <= 3) {
    ms = (hi * TWO32 + lo) * 10 ** (3 - iface.exp);
  } else if (!iface.binary && iface.exp <= 9) {
    // ticks / d = hi * q + (hi * r + lo) / d, with 2^32 = q * d + r; every term stays below 2^53.
    const d = 10 ** (iface.exp - 3);
    const q = Math.floor(TWO32 / d);
    const r = TWO32 - q * d;
    ms = hi * q + Math.floor((hi * r + lo) / d);
  } else {
    const ticks = (BigInt(hi) << 32n) | BigInt(lo);
    const big = iface.binary
      ? (ticks * 1000n) >> BigInt(iface.exp)
      : (ticks * 1000n) / 10n ** BigInt(iface.exp);
    if (big > BigInt(Number.MAX_SAFE_INTEGER)) return -1;
    ms = Number(big);
  }
  ms += iface.offsetSec * 1000;
  return Number.isSafeInteger(ms) && ms >= 0 ? ms : -1;
}
