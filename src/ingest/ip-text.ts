/**
 * Canonical IP address text, checked without allocating on the common path (IPv4).
 *
 * Invariants:
 * - Canonical is what sensors send (src/core/event.ts, src/sensor/net/ip.ts): IPv4 as a dotted quad without
 *   leading zeros; IPv6 per RFC 5952 (lower case, leading zeros dropped, the longest run of two or more zero
 *   hextets as "::", the first on a tie, never a single one) and IPv4-mapped addresses as ::ffff:a.b.c.d.
 * - Exactly one text per address is canonical, so distinct counts keyed on the text cannot be inflated by
 *   writing one address several ways.
 * - `canonicalIpText` never throws; anything that is not an address gives null.
 */

const DOT = 46;
const COLON = 58;

/** True when `s` is a canonical dotted-quad IPv4 address. */
export function isCanonicalIPv4(s: string): boolean {
  const n = s.length;
  if (n < 7 || n > 15) return false;
  let dots = 0;
  let digits = 0;
  let octet = 0;
  let first = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === DOT) {
      if (digits === 0 || dots === 3) return false;
      dots++;
      digits = 0;
      octet = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits === 0) first = c;
      else if (first === 48) return false; // leading zero
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) return false;
    } else {
      return false;
    }
  }
  return dots === 3 && digits > 0;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Dotted quad (leading zeros allowed, as parsers accept) at s[from, to) to a uint32, or -1. */
function parseQuad(s: string, from: number, to: number): number {
  let acc = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
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

/** Parses IPv6 text (compressed, full, or with a trailing dotted quad) into 8 hextets; false when it is not. */
function parseIPv6(s: string, out: Uint16Array): boolean {
  const end = s.length;
  let n = 0;
  let gap = -1;
  let i = 0;
  if (end < 2) return false;
  if (s.charCodeAt(0) === COLON) {
    if (s.charCodeAt(1) !== COLON) return false;
    gap = 0;
    i = 2;
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
      const h = hexValue(s.charCodeAt(i));
      if (h < 0) break;
      v = v * 16 + h;
      i++;
      if (++digits > 4) return false;
    }
    if (i < end && s.charCodeAt(i) === DOT) {
      if (n > 6) return false;
      const v4 = parseQuad(s, groupStart, end);
      if (v4 < 0) return false;
      out[n++] = v4 >>> 16;
      out[n++] = v4 & 0xffff;
      i = end;
      break;
    }
    if (digits === 0) return false;
    out[n++] = v;
    if (i === end) break;
    if (s.charCodeAt(i) !== COLON) return false;
    i++;
    if (i < end && s.charCodeAt(i) === COLON) {
      if (gap >= 0) return false;
      gap = n;
      i++;
      if (i === end) break;
    } else if (i === end) {
      return false;
    }
  }
  if (gap < 0) return n === 8;
  if (n === 8) return false;
  const tail = n - gap;
  for (let k = tail - 1; k >= 0; k--) out[8 - tail + k] = out[gap + k] ?? 0;
  for (let k = gap; k < 8 - tail; k++) out[k] = 0;
  return true;
}

/** RFC 5952 text of 8 hextets (the same rules as the sensor's formatIPv6). */
function formatIPv6(h: Uint16Array): string {
  if (h[0] === 0 && h[1] === 0 && h[2] === 0 && h[3] === 0 && h[4] === 0 && h[5] === 0xffff) {
    const a = h[6] ?? 0;
    const b = h[7] ?? 0;
    return `::ffff:${a >>> 8}.${a & 255}.${b >>> 8}.${b & 255}`;
  }
  let bestStart = -1;
  let bestLen = 1;
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

const scratch = new Uint16Array(8);

/**
 * The canonical text of the address `s` is written in, or null when `s` is not an IP address.
 * @example canonicalIpText('2001:DB8:0::1') // '2001:db8::1'
 */
export function canonicalIpText(s: string): string | null {
  if (s.length === 0 || s.length > 45) return null;
  if (s.indexOf(':') < 0) {
    const v4 = parseQuad(s, 0, s.length);
    return v4 < 0 ? null : `${v4 >>> 24}.${(v4 >>> 16) & 255}.${(v4 >>> 8) & 255}.${v4 & 255}`;
  }
  return parseIPv6(s, scratch) ? formatIPv6(scratch) : null;
}

/** True when `s` is an IP address in its canonical text. Fast for IPv4. */
export function isCanonicalIp(s: string): boolean {
  if (isCanonicalIPv4(s)) return true;
  return s.indexOf(':') >= 0 && canonicalIpText(s) === s;
}
