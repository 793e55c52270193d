/**
 * pf table file (pfctl(8), pf.conf(5)): one address or network per line, `#` comments, for
 * `pfctl -t stormwatch -T replace -f file`, or for `table <stormwatch> persist file "file"` in pf.conf.
 */
import type { Blocklist } from '../types.js';
import { hashComments } from './header.js';

export const PF_TABLE = 'stormwatch';

export function renderPf(list: Blocklist): string {
  const usage = [
    `Load: pfctl -t ${PF_TABLE} -T replace -f this-file`,
    `pf.conf: table <${PF_TABLE}> persist file "/etc/pf.${PF_TABLE}"`,
    `         block drop in quick from <${PF_TABLE}>`,
  ];
  return hashComments(list, usage) + list.entries.map((e) => `${e.value}\n`).join('');
}
