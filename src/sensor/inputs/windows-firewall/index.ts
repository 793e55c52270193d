/**
 * The `windows-firewall` input: Windows Firewall pfirewall.log (W3C extended format, `#Fields:` header). See
 * parser.ts for which actions and paths are attempts.
 */
import type { InputOptions, LineInputDefinition } from '../registry.js';
import { WindowsFirewallParser } from './parser.js';
import type { WindowsFirewallParserOptions } from './parser.js';

export { MALFORMED_REASONS, WindowsFirewallParser } from './parser.js';
export type { WindowsFirewallMalformedReason, WindowsFirewallParserOptions } from './parser.js';

export function createWindowsFirewallParser(opts: WindowsFirewallParserOptions = {}): WindowsFirewallParser {
  return new WindowsFirewallParser(opts);
}

export const windowsFirewallInput: LineInputDefinition = {
  type: 'windows-firewall',
  kind: 'lines',
  description: 'Windows Firewall pfirewall.log (W3C extended, #Fields header): inbound DROP/ALLOW records',
  examples: [
    '2021-06-22 12:20:25 DROP TCP 198.51.100.26 192.0.2.10 62187 445 52 S 1830172183 0 64240 - - - RECEIVE',
    '2015-07-16 11:35:29 ALLOW TCP 203.0.113.22 192.0.2.13 52000 3389 0 - 0 0 0 - - - RECEIVE',
    '2021-06-22 12:19:41 DROP UDP 2001:db8:f58b::872b 2001:db8::fb 5353 1900 93 - - - - - - - RECEIVE',
    '2005-04-11 08:08:58 DROP ICMP 203.0.113.90 192.0.2.90 - - 78 - - - - 8 0 - RECEIVE',
  ],
  createParser: (o: InputOptions) => new WindowsFirewallParser({ timezone: o.timezone }),
};
