/**
 * The `pf` input: OpenBSD / FreeBSD pf log lines as `tcpdump -n -e -ttt -r /var/log/pflog` prints them, bare or
 * forwarded through syslog (`... pf: <tcpdump line>`). See parser.ts for the format.
 */
import type { LineInputDefinition } from '../registry.js';
import { PfParser } from './parser.js';

export { PfParser, PF_MALFORMED_REASONS } from './parser.js';
export type { PfParserOptions, PfMalformedReason } from './parser.js';

export const pfInput: LineInputDefinition = {
  type: 'pf',
  kind: 'lines',
  description: 'OpenBSD/FreeBSD pf log as printed by tcpdump -n -e -ttt (pflog), bare or via syslog',
  examples: [
    'Mar 30 15:55:20 gw pf: Mar 30 15:53:25.793256 rule 2/(match) block in on em0: 198.51.100.23.50425 > 192.0.2.10.22: S 1381529123:1381529123(0) win 16384 <mss 1460,nop,nop,sackOK> (DF)',
    'Mar 30 15:47:05.522341 rule 4/(match) block in on em0: 203.0.113.7.61000 > 192.0.2.10.53:  udp 40',
    'rule 0/0(match): block in on vtnet0: 2001:db8:1::7.40000 > 2001:db8:2::10.3389: Flags [S], seq 123, win 1024, options [mss 1460], length 0',
    'Mar 30 15:55:19 gw pf: Mar 30 15:48:03.820087 rule 2/(match) block in on em0: 198.51.100.4 > 192.0.2.10: icmp: echo request',
  ],
  createParser: (o) => new PfParser({ timezone: o.timezone }),
};
