/**
 * Address text to numbers for the geo tables: IPv4 as a uint32, IPv6 as four big-endian uint32 words.
 *
 * Invariants:
 * - Never throws and never allocates: anything that is not an address (empty, too long, a zone id "%eth0",
 *   a prefix "/24", an octet over 255, a fifth hex digit) answers INVALID.
 * - Accepts every RFC 4291 section 2.2 text form (so upper case and uncompressed forms work too), not only the
 *   canonical one of src/core/event.ts. IPv4 octets are 1-3 decimal digits, as the sensor parses them.
 * - IPv4-mapped IPv6 (::ffff:a.b.c.d, RFC 4291 2.5.5.2) is the IPv4 host it carries: the answer is V4.
 */

export const INVALID = 0;
export const V4 = 4;
export const V6 = 6;
export type AddressKind = typeof INVALID | typeof V4 | typeof V6;

const DOT = 46;
const COLON = 58;

/** Hex digit value of each char code below 128, -1 for others. */
const HEX = new Int8Array(128).fill(-1);
for (let c = 0; c < 10; c++) HEX[48 + c] = c;
for (let c = 0; c < 6; c++) {
  HEX[97 + c] = 10 + c;
  HEX[65 + c] = 10 + c;
}

/** Dotted quad in text[start, end) to a uint32, or -1. */
function parseV4(text: string, start: number, end: number): number {
  let acc = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) return -1;
    } else if (c === DOT && digits > 0 && dots < 3) {
      acc = acc * 256 + octet;
      dots++;
      octet = 0;
      digits = 0;
    } else {
      return -1;
    }
  }
  return digits === 0 || dots !== 3 ? -1 : acc * 256 + octet;
}

/** The byte twin of parseV4, for data files: dotted quad in buf[start, end) to a uint32, or -1. */
export function parseIPv4Bytes(buf: Uint8Array, start: number, end: number): number {
  let acc = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = start; i < end; i++) {
    const c = buf[i] ?? 0;
    if (c >= 48 && c <= 57) {
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) return -1;
    } else if (c === DOT && digits > 0 && dots < 3) {
      acc = acc * 256 + octet;
      dots++;
      octet = 0;
      digits = 0;
    } else {
      return -1;
    }
  }
  return digits === 0 || dots !== 3 ? -1 : acc * 256 + octet;
}

const hextets = new Uint16Array(8);

/** IPv6 text into `hextets`; false when it is not one. */
function parseV6(text: string): boolean {
  const end = text.length;
  let n = 0; // hextets written
  let gap = -1; // index in `hextets` where "::" stands
  let i = 0;
  if (end < 2) return false;
  if (text.charCodeAt(0) === COLON) {
    if (text.charCodeAt(1) !== COLON) return false;
    gap = 0;
    i = 2;
    if (i === end) {
      hextets.fill(0);
      return true;
    }
  }
  while (i < end) {
    if (n === 8) return false;
    let v = 0;
    let digits = 0;
    const groupStart = i;
    while (i < end) {
      const c = text.charCodeAt(i);
      const h = c < 128 ? (HEX[c] ?? -1) : -1;
      if (h < 0) break;
      v = v * 16 + h;
      i++;
      if (++digits > 4) return false;
    }
    if (i < end && text.charCodeAt(i) === DOT) {
      // Trailing dotted IPv4 (RFC 4291 2.2 form 3) takes the last two hextets.
      if (n > 6) return false;
      const v4 = parseV4(text, groupStart, end);
      if (v4 < 0) return false;
      hextets[n++] = v4 >>> 16;
      hextets[n++] = v4 & 0xffff;
      break;
    }
    if (digits === 0) return false;
    hextets[n++] = v;
    if (i === end) break;
    if (text.charCodeAt(i) !== COLON) return false;
    i++;
    if (i < end && text.charCodeAt(i) === COLON) {
      if (gap >= 0) return false;
      gap = n;
      i++;
    } else if (i === end) {
      return false; // a trailing single colon
    }
  }
  if (gap < 0) return n === 8;
  if (n === 8) return false; // "::" stands for at least one hextet
  const tail = n - gap;
  for (let k = tail - 1; k >= 0; k--) hextets[8 - tail + k] = hextets[gap + k] ?? 0;
  for (let k = gap; k < 8 - tail; k++) hextets[k] = 0;
  return true;
}

/**
 * Parses address text into `out`: V4 puts the uint32 in out[0]; V6 puts the 128 bits in out[0..3], most
 * significant word first. `out` is left in an unspecified state on INVALID.
 * @example const w = new Uint32Array(4); parseAddress('2001:db8::1', w) // V6, w = [0x20010db8, 0, 0, 1]
 */
export function parseAddress(text: string, out: Uint32Array): AddressKind {
  const len = text.length;
  if (len === 0 || len > 45) return INVALID;
  // Scan for a colon without allocating; an IPv4 text has none.
  let colon = false;
  for (let i = 0; i < len && i < 6; i++) {
    if (text.charCodeAt(i) === COLON) {
      colon = true;
      break;
    }
  }
  if (!colon) {
    const v4 = parseV4(text, 0, len);
    if (v4 < 0) return INVALID;
    out[0] = v4;
    return V4;
  }
  if (!parseV6(text)) return INVALID;
  const h = hextets;
  const w0 = (((h[0] ?? 0) << 16) | (h[1] ?? 0)) >>> 0;
  const w1 = (((h[2] ?? 0) << 16) | (h[3] ?? 0)) >>> 0;
  const w2 = (((h[4] ?? 0) << 16) | (h[5] ?? 0)) >>> 0;
  const w3 = (((h[6] ?? 0) << 16) | (h[7] ?? 0)) >>> 0;
  if (w0 === 0 && w1 === 0 && w2 === 0xffff) {
    out[0] = w3;
    return V4;
  }
  out[0] = w0;
  out[1] = w1;
  out[2] = w2;
  out[3] = w3;
  return V6;
}
