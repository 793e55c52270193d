/**
 * The `filterlog` input: pfSense / OPNsense firewall log lines (filterlog CSV, "Raw Filter Log Format"), in BSD
 * syslog or RFC 5424 lines, or as bare CSV bodies. See parser.ts for the format.
 */
import type { LineInputDefinition } from '../registry.js';
import { FilterlogParser } from './parser.js';

export { FilterlogParser, FILTERLOG_MALFORMED_REASONS } from './parser.js';
export type { FilterlogParserOptions, FilterlogMalformedReason } from './parser.js';

export const filterlogInput: LineInputDefinition = {
  type: 'filterlog',
  kind: 'lines',
  description: 'pfSense/OPNsense filterlog CSV (BSD syslog, RFC 5424 or bare), IPv4 and IPv6',
  examples: [
    'Sep 28 10:38:24 pfSense filterlog: 53,,,1000102631,em0,match,block,in,4,0x0,,64,600,0,none,6,tcp,44,198.51.100.2,192.0.2.15,53792,22,0,S,31552001,,65535,,mss',
    '<134>1 2022-09-06T18:37:34+02:00 opnsense filterlog 69805 - [meta sequenceId="2633353"] 10,,,02f4bab031b57d1e30553ce08e0ec131,re0,match,block,in,4,0x0,,118,28579,0,none,17,udp,132,203.0.113.22,192.0.2.198,49838,52938,112',
    '<134>1 2025-11-06T11:42:14.270789+00:00 fw filterlog 92653 - - 621,,,1644355515,vtnet0,match,block,in,6,0x00,0x07c63,64,TCP,6,44,2001:db8:10:d8:cdbf:f6f8:6d69:1,2001:db8:5::6,65382,443,0,S,1927530165,,0,,mss',
    '8,,,1000000103,igb5,match,block,in,4,0x0,,250,31401,0,none,1,icmp,92,198.51.100.4,192.0.2.8,request,540,55972',
  ],
  createParser: (o) => new FilterlogParser({ timezone: o.timezone }),
};
