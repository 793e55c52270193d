/**
 * IP address parsing and formatting on bytes, for the hot path of the sensor's parsers.
 *
 * Invariants:
 * - Parsers read `buf[start, end)` only and never allocate: IPv4 comes back as a uint32 (or -1), IPv6 is
 *   written into a caller-owned Uint16Array of 8 hextets.
 * - Formatting builds fresh strings (never slices of a read buffer), so an address kept in a long-lived
 *   structure does not pin the 1 MiB chunk it was read from (docs/PERFORMANCE.md).
 * - Text form is canonical: IPv4 dotted quad without leading zeros; IPv6 per RFC 5952 (lower case, leading
 *   zeros dropped, the longest run of two or more zero hextets as "::", the first on a tie; IPv4-mapped
 *   addresses as ::ffff:a.b.c.d, RFC 5952 section 5).
 */

const DOT = 46;
const COLON = 58;

/** Hex digit value of each byte, -1 for non-hex. */
const HEX = new Int8Array(256).fill(-1);
for (let c = 0; c < 10; c++) HEX[48 + c] = c;
for (let c = 0; c < 6; c++) {
  HEX[97 + c] = 10 + c;
  HEX[65 + c] = 10 + c;
}

function hexValue(c: number): number {
  return HEX[c] ?? -1;
}

/** The fully expanded form (what the kernel prints, %pI6): 8 groups of 4 hex digits, 39 bytes. */
function parseFullIPv6(buf: Uint8Array, start: number, out: Uint16Array): boolean {
  for (let g = 0, p = start; g < 8; g++, p += 5) {
    const a = hexValue(buf[p] ?? 0);
    const b = hexValue(buf[p + 1] ?? 0);
    const c = hexValue(buf[p + 2] ?? 0);
    const d = hexValue(buf[p + 3] ?? 0);
    if ((a | b | c | d) < 0 || (g < 7 && buf[p + 4] !== COLON)) return false;
    out[g] = (a << 12) | (b << 8) | (c << 4) | d;
  }
  return true;
}

/**
 * Parses a dotted-quad IPv4 address (1-3 digits per octet, each <= 255).
 * @returns the address as an unsigned 32-bit number, or -1 when `buf[start, end)` is not one.
 * @example parseIPv4(Buffer.from('10.0.0.1'), 0, 8) // 167772161
 */
export function parseIPv4(buf: Uint8Array, start: number, end: number): number {
  let acc = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = start; i < end; i++) {
    const c = buf[i] ?? 0;
    if (c >= 48 && c <= 57) {
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) return -1;
    } else if (c === DOT) {
      if (digits === 0 || dots === 3) return -1;
      acc = acc * 256 + octet;
      dots++;
      octet = 0;
      digits = 0;
    } else {
      return -1;
    }
  }
  if (digits === 0 || dots !== 3) return -1;
  return acc * 256 + octet;
}

/**
 * Parses an IPv6 address (full, compressed with "::", or with a trailing dotted IPv4) into `out` (8 hextets).
 * Zone ids ("%eth0") are refused. @returns false when `buf[start, end)` is not an IPv6 address.
 */
export function parseIPv6(buf: Uint8Array, start: number, end: number, out: Uint16Array): boolean {
  let n = 0; // hextets written
  let gap = -1; // index in `out` where "::" stands
  let i = start;
  if (end - start === 39 && parseFullIPv6(buf, start, out)) return true;
  if (end - start < 2) return false;
  if (buf[i] === COLON) {
    if (buf[i + 1] !== COLON) return false;
    gap = 0;
    i += 2;
    if (i === end) {
      out.fill(0);
      return true;
    }
  }
  while (i < end) {
    if (n === 8) return false;
    let v = 0;
    let digits = 0;
    const groupStart = i;
    while (i < end) {
      const h = hexValue(buf[i] ?? 0);
      if (h < 0) break;
      v = v * 16 + h;
      i++;
      if (++digits > 4) return false;
    }
    if (i < end && buf[i] === DOT) {
      // Trailing IPv4 (RFC 4291 2.2 form 3): it takes the last two hextets.
      if (n > 6) return false;
      const v4 = parseIPv4(buf, groupStart, end);
      if (v4 < 0) return false;
      out[n++] = v4 >>> 16;
      out[n++] = v4 & 0xffff;
      i = end;
      break;
    }
    if (digits === 0) return false;
    out[n++] = v;
    if (i === end) break;
    if (buf[i] !== COLON) return false;
    i++;
    if (i < end && buf[i] === COLON) {
      if (gap >= 0) return false;
      gap = n;
      i++;
      if (i === end) break;
    } else if (i === end) {
      return false; // trailing single colon
    }
  }
  if (gap < 0) return n === 8;
  if (n === 8) return false; // "::" must stand for at least one hextet
  const tail = n - gap;
  for (let k = tail - 1; k >= 0; k--) out[8 - tail + k] = out[gap + k] ?? 0;
  for (let k = gap; k < 8 - tail; k++) out[k] = 0;
  return true;
}

/** @example formatIPv4(167772161) // '10.0.0.1' */
export function formatIPv4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** RFC 5952 text of 8 hextets. @example formatIPv6(Uint16Array.of(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1)) // '2001:db8::1' */
export function formatIPv6(h: Uint16Array): string {
  // IPv4-mapped ::ffff:a.b.c.d (RFC 5952 section 5).
  if (h[0] === 0 && h[1] === 0 && h[2] === 0 && h[3] === 0 && h[4] === 0 && h[5] === 0xffff) {
    const a = h[6] ?? 0;
    const b = h[7] ?? 0;
    return `::ffff:${a >>> 8}.${a & 255}.${b >>> 8}.${b & 255}`;
  }
  let bestStart = -1;
  let bestLen = 1; // a single zero hextet is never shortened (RFC 5952 4.2.2)
  for (let i = 0; i < 8;) {
    if (h[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && h[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      s += '::';
      i += bestLen - 1;
      continue;
    }
    if (s.length > 0 && !s.endsWith(':')) s += ':';
    s += (h[i] ?? 0).toString(16);
  }
  return s;
}

const scratchBuf = Buffer.allocUnsafe(64);
const scratch6 = new Uint16Array(8);

/** Address family and numeric form of a text address; `v6` is a fresh array. */
export type ParsedIp = { family: 4; v4: number } | { family: 6; v6: Uint16Array };

/** Dotted-quad IPv4 text to a uint32, or -1 (the string twin of parseIPv4). */
export function parseIPv4Text(text: string): number {
  let acc = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
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

/** Parses IPv4 or IPv6 text. @returns null when invalid. */
export function parseIp(text: string): ParsedIp | null {
  if (text.length === 0 || text.length > 45) return null;
  if (!text.includes(':')) {
    const v4 = parseIPv4Text(text);
    return v4 < 0 ? null : { family: 4, v4 };
  }
  const n = scratchBuf.write(text, 0, 'latin1');
  if (n !== text.length || !parseIPv6(scratchBuf, 0, n, scratch6)) return null;
  return { family: 6, v6: Uint16Array.from(scratch6) };
}

/** Canonical text of an address, or null when `text` is not one. @example canonicalIp('2001:0DB8::0001') // '2001:db8::1' */
export function canonicalIp(text: string): string | null {
  const p = parseIp(text);
  if (p === null) return null;
  return p.family === 4 ? formatIPv4(p.v4) : formatIPv6(p.v6);
}

/** IPv4 network address of `n` under a /prefix (0-32). */
export function maskIPv4(n: number, prefix: number): number {
  if (prefix <= 0) return 0;
  if (prefix >= 32) return n >>> 0;
  return (n & (~0 << (32 - prefix))) >>> 0;
}

/** IPv6 network address under a /prefix (0-128), written in place. */
export function maskIPv6(h: Uint16Array, prefix: number): Uint16Array {
  for (let i = 0; i < 8; i++) {
    const keep = Math.max(0, Math.min(16, prefix - i * 16));
    h[i] = keep === 0 ? 0 : (h[i] ?? 0) & (0xffff << (16 - keep)) & 0xffff;
  }
  return h;
}
