/**
 * Plain text: the `#` comment header, then one entry per line (a CIDR for networks, an address for sources).
 * Readable by most list consumers (fail2ban, firewall scripts, `grep -v '^#'`).
 */
import type { Blocklist } from '../types.js';
import { hashComments } from './header.js';

export function renderText(list: Blocklist): string {
  return hashComments(list) + list.entries.map((e) => `${e.value}\n`).join('');
}
