/**
 * Addresses that never get a country or an AS, whatever a data file says: they belong to no one on the Internet.
 *
 * Sources: IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890 and updates), RFC 1918, RFC 6598,
 * RFC 5737, RFC 3849, RFC 9637, RFC 4291 (2000::/3 is the global unicast space). The IPv4 list is the sensor's
 * (src/sensor/net/ranges.ts), which pipeline code may not import; keep the two in step.
 *
 * Invariants: pure functions on numbers, no allocation; most public IPv4 addresses are answered by one read of
 * a 256-entry table indexed by the first octet.
 */

/** [first, last] (inclusive, uint32) of the special IPv4 blocks. */
const V4_BLOCKS: ReadonlyArray<readonly [string, number]> = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // shared address space
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link local
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and 255.255.255.255
];

/** Per first octet: 0 global, 1 all special, 2 look at the blocks. */
const FIRST_OCTET = new Uint8Array(256);
const BLOCKS = new Uint32Array(V4_BLOCKS.length * 2);
V4_BLOCKS.forEach(([net, prefix], i) => {
  const first = net.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const last = first + 2 ** (32 - prefix) - 1;
  BLOCKS[2 * i] = first;
  BLOCKS[2 * i + 1] = last;
  for (let o = first >>> 24; o <= last >>> 24; o++) FIRST_OCTET[o] = prefix <= 8 ? 1 : 2;
});

/** True when the IPv4 address (uint32) is in a special-purpose block. */
export function isSpecialV4(a: number): boolean {
  const k = FIRST_OCTET[a >>> 24] ?? 0;
  if (k !== 2) return k === 1;
  for (let i = 0; i < BLOCKS.length; i += 2) {
    if (a >= (BLOCKS[i] ?? 0) && a <= (BLOCKS[i + 1] ?? 0)) return true;
  }
  return false;
}

/**
 * True when the IPv6 address (four big-endian words) is not global unicast: outside 2000::/3 (this covers ::,
 * ::1, fc00::/7, fe80::/10, ff00::/8, 64:ff9b::/96, 100::/64) or documentation (2001:db8::/32, 3fff::/20).
 * IPv4-mapped addresses never reach here (see address.ts).
 */
export function isSpecialV6(w0: number): boolean {
  if (w0 >>> 29 !== 1) return true;
  return w0 === 0x20010db8 || w0 >>> 12 === 0x3fff0;
}
