/**
 * nftables script (nft(8), `nft -f file`): table `inet stormwatch` with the interval sets `blocklist_v4` and
 * `blocklist_v6` and an input chain that drops their sources. The script first declares and deletes the table,
 * then declares it whole, so that loading it again replaces the old lists in one transaction.
 *
 * Invariants: a set with no entries has no `elements` line (`elements = { }` is a syntax error in nft);
 * every element is a canonical address or CIDR made by cidr.ts.
 */
import type { Blocklist } from '../types.js';
import { hashComments } from './header.js';

export const NFT_TABLE = 'stormwatch';

function set(name: string, type: string, values: string[]): string[] {
  const out = [`  set ${name} {`, `    type ${type}`, '    flags interval'];
  if (values.length > 0) {
    out.push('    elements = {');
    values.forEach((v, i) => out.push(`      ${v}${i < values.length - 1 ? ',' : ''}`));
    out.push('    }');
  }
  out.push('  }');
  return out;
}

export function renderNft(list: Blocklist): string {
  const v4 = list.entries.filter((e) => e.family === 4).map((e) => e.value);
  const v6 = list.entries.filter((e) => e.family === 6).map((e) => e.value);
  const lines = [
    `table inet ${NFT_TABLE}`,
    `delete table inet ${NFT_TABLE}`,
    `table inet ${NFT_TABLE} {`,
    ...set('blocklist_v4', 'ipv4_addr', v4),
    ...set('blocklist_v6', 'ipv6_addr', v6),
    '  chain input {',
    '    type filter hook input priority -5; policy accept;',
    '    ip saddr @blocklist_v4 drop',
    '    ip6 saddr @blocklist_v6 drop',
    '  }',
    '}',
  ];
  return hashComments(list, ['Load: nft -f this-file']) + lines.join('\n') + '\n';
}
