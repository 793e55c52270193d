/**
 * Locates the fields of a netfilter line without copying anything: `findIn` jumps from '=' to '=' to the IN= key
 * (which may be glued to a log prefix), then `scanFields` walks the tokens after it, told apart by their first bytes,
 * and stops as soon as the fields an event needs are read (after DPT= for UDP, TYPE= for ICMP, PROTO=<n>, URGP=
 * for TCP, or at the '[' of an ICMP error's inner packet). Positions land in a reused Int32Array.
 * Invariant: nothing past `end` is ever read; the bytes after it belong to the next line.
 */
import { bare3, eq3, isWordChar } from './fields.js';

const SP = 32;
const EQ = 61;

/** Field slots: value start at `2 * F`, value end at `2 * F + 1`; -1 when absent. */
export const F_IN = 0;
export const F_OUT = 1;
export const F_SRC = 2;
export const F_DST = 3;
export const F_PROTO = 4;
export const F_SPT = 5;
export const F_DPT = 6;
export const F_TYPE = 7;
const NONE = -1;

export class LineFields {
  readonly pos = new Int32Array(16);
  /** TCP flag bits in FSRPAUEC order (bit 0 = FIN). */
  flags = 0;
  /** Seen before IN= was found (or without it): a non-empty OUT=, and SRC=/PROTO=. */
  outSeen = false;
  fieldSeen = false;

  start(f: number): number {
    return this.pos[2 * f] ?? NONE;
  }

  end(f: number): number {
    return this.pos[2 * f + 1] ?? NONE;
  }

  /** Finds the IN= value from `p`; false when the line has none. */
  findIn(buf: Uint8Array, p: number, start: number, end: number): boolean {
    this.pos.fill(NONE);
    this.flags = 0;
    this.outSeen = false;
    this.fieldSeen = false;
    while (p < end) {
      while (p < end && buf[p] !== EQ) p++;
      if (p >= end) return false;
      if (
        p - 2 >= start &&
        buf[p - 1] === 78 &&
        buf[p - 2] === 73 &&
        (p - 3 < start || !isWordChar(buf[p - 3] ?? 0))
      ) {
        let q = p + 1;
        while (q < end && buf[q] !== SP) q++;
        this.pos[2 * F_IN] = p + 1;
        this.pos[2 * F_IN + 1] = q;
        return true;
      }
      if (p - 3 >= start && eq3(buf, p - 3, 79, 85, 84))
        this.outSeen ||= p + 1 < end && buf[p + 1] !== SP; // OUT=x
      else if (p - 3 >= start && eq3(buf, p - 3, 83, 82, 67))
        this.fieldSeen = true; // SRC=
      else if (p - 5 >= start && eq3(buf, p - 5, 80, 82, 79)) this.fieldSeen = true; // PRO(TO)=
      p++;
    }
    return false;
  }

  /** Reads the fields after the IN= value, up to `end`. */
  scanFields(buf: Uint8Array, end: number): void {
    const pos = this.pos;
    let p = pos[2 * F_IN + 1] ?? end;
    let tcp = false;
    let haveProto = false;
    let flags = 0;
    scan: while (p < end) {
      if (buf[p] === SP) {
        p++;
        continue;
      }
      const room = end - p;
      let field = NONE;
      switch (buf[p]) {
        case 79: // OUT=
          if (room > 3 && buf[p + 3] === EQ && eq3(buf, p, 79, 85, 84)) field = F_OUT;
          break;
        case 83: // SRC= SPT= SYN
          if (room > 3 && buf[p + 3] === EQ)
            field = eq3(buf, p, 83, 82, 67) ? F_SRC : eq3(buf, p, 83, 80, 84) ? F_SPT : NONE;
          else if (tcp && bare3(buf, p, end, 83, 89, 78)) flags |= 2;
          break;
        case 68: // DST= DPT=
          if (room > 3 && buf[p + 3] === EQ)
            field = eq3(buf, p, 68, 83, 84) ? F_DST : eq3(buf, p, 68, 80, 84) ? F_DPT : NONE;
          break;
        case 80: // PROTO= PSH
          if (
            room > 5 &&
            buf[p + 5] === EQ &&
            eq3(buf, p, 80, 82, 79) &&
            buf[p + 3] === 84 &&
            buf[p + 4] === 79
          )
            field = F_PROTO;
          else if (tcp && bare3(buf, p, end, 80, 83, 72)) flags |= 8;
          break;
        case 84: // TYPE=
          if (room > 4 && buf[p + 4] === EQ && eq3(buf, p, 84, 89, 80) && buf[p + 3] === 69) field = F_TYPE;
          break;
        case 85: // URG, URGP= (the end of the TCP flags)
          if (tcp && bare3(buf, p, end, 85, 82, 71)) flags |= 32;
          else if (tcp && room > 4 && eq3(buf, p, 85, 82, 71) && buf[p + 3] === 80 && buf[p + 4] === EQ)
            break scan;
          break;
        case 70: // FIN
          if (tcp && bare3(buf, p, end, 70, 73, 78)) flags |= 1;
          break;
        case 82: // RST
          if (tcp && bare3(buf, p, end, 82, 83, 84)) flags |= 4;
          break;
        case 65: // ACK
          if (tcp && bare3(buf, p, end, 65, 67, 75)) flags |= 16;
          break;
        case 69: // ECE
          if (tcp && bare3(buf, p, end, 69, 67, 69)) flags |= 64;
          break;
        case 67: // CWR
          if (tcp && bare3(buf, p, end, 67, 87, 82)) flags |= 128;
          break;
        case 91: // '[' after PROTO=: an ICMP error's inner packet (or INCOMPLETE [n bytes])
          if (haveProto) break scan;
          break;
      }
      const v = field === F_PROTO ? p + 6 : field === F_TYPE ? p + 5 : p + 4;
      let q = field === NONE ? p : v;
      while (q < end && buf[q] !== SP) q++;
      if (field !== NONE && pos[2 * field]! < 0) {
        pos[2 * field] = v;
        pos[2 * field + 1] = q;
        if (field === F_PROTO) {
          haveProto = true;
          tcp = q - v === 3 && eq3(buf, v, 84, 67, 80);
          const c = buf[v]!;
          if (c >= 48 && c <= 57) break; // PROTO=<n>: nothing more to read
        } else if (haveProto && ((field === F_DPT && !tcp) || field === F_TYPE)) {
          break;
        }
      }
      p = q;
    }
    this.flags = flags;
  }
}
