/**
 * ipset restore file (ipset(8), `ipset restore -exist < file`): two `hash:net` sets, IPv4 and IPv6, filled
 * through temporary sets and swapped in, so that a reload never leaves the firewall with an empty or half
 * list. The iptables and ip6tables rules that use the sets are in the header (added once, by hand).
 *
 * Invariant: only `create`, `flush`, `add`, `swap` and `destroy` lines and `#` comments; every value is a
 * canonical address or CIDR made by cidr.ts, never text from the data.
 */
import type { Blocklist } from '../types.js';
import { hashComments } from './header.js';

export const IPSET_V4 = 'stormwatch-v4';
export const IPSET_V6 = 'stormwatch-v6';

export function renderIpset(list: Blocklist): string {
  const maxelem = Math.max(65536, list.entries.length);
  const lines: string[] = [];
  for (const [name, family, fam] of [
    [IPSET_V4, 4, 'inet'],
    [IPSET_V6, 6, 'inet6'],
  ] as const) {
    const tmp = `${name}-tmp`;
    lines.push(`create ${name} hash:net family ${fam} maxelem ${maxelem} -exist`);
    lines.push(`create ${tmp} hash:net family ${fam} maxelem ${maxelem} -exist`);
    lines.push(`flush ${tmp}`);
    for (const e of list.entries) if (e.family === family) lines.push(`add ${tmp} ${e.value} -exist`);
    lines.push(`swap ${tmp} ${name}`);
    lines.push(`destroy ${tmp}`);
  }
  const usage = [
    'Load: ipset restore -exist < this-file',
    `Use once: iptables -I INPUT -m set --match-set ${IPSET_V4} src -j DROP`,
    `          ip6tables -I INPUT -m set --match-set ${IPSET_V6} src -j DROP`,
  ];
  return hashComments(list, usage) + lines.join('\n') + '\n';
}
