/**
 * Ranges no Stormwatch blocklist ever contains, whatever the data says: addresses that do not route on the
 * Internet, so that a source seen there is a sensor's own network or a spoofed packet, and listing it could
 * cut a subscriber off from their own LAN, loopback or multicast.
 *
 * Sources: IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890), RFC 1918, RFC 6598, RFC 4193,
 * RFC 4291. The documentation ranges (RFC 5737, RFC 3849) are deliberately NOT here: examples, the demo's
 * simulated fleet and the tests use them, and no real Internet source comes from them.
 */
import { overlaps, parseCidr } from './cidr.js';
import type { Network } from './cidr.js';

export const NEVER_LIST_CIDRS: readonly string[] = [
  '0.0.0.0/8', // "this network"
  '10.0.0.0/8', // private
  '100.64.0.0/10', // shared address space (CGN)
  '127.0.0.0/8', // loopback
  '169.254.0.0/16', // link local
  '172.16.0.0/12', // private
  '192.0.0.0/24', // IETF protocol assignments
  '192.168.0.0/16', // private
  '198.18.0.0/15', // benchmarking
  '224.0.0.0/4', // multicast
  '240.0.0.0/4', // reserved, broadcast
  '::/127', // unspecified, loopback
  '::ffff:0:0/96', // IPv4-mapped
  '64:ff9b:1::/48', // local-use IPv4/IPv6 translation
  '100::/64', // discard-only
  'fc00::/7', // unique local
  'fe80::/10', // link local
  'ff00::/8', // multicast
];

const NEVER: readonly Network[] = NEVER_LIST_CIDRS.map((c) => {
  const n = parseCidr(c);
  if (n === null) throw new Error(`bad built-in range ${c}`);
  return n;
});

/** Whether the network overlaps a range that is never listed. */
export function isNeverListed(n: Network): boolean {
  return NEVER.some((r) => overlaps(r, n));
}
