/**
 * The `zeek` input: Zeek conn.log rows, TSV (with its `#` header lines) or JSON lines. See parser.ts for the
 * layout rules and handshake.ts for how a completed TCP handshake is told.
 */
import type { InputOptions, LineInputDefinition } from '../registry.js';
import { ZeekParser } from './parser.js';
import type { ZeekParserOptions } from './parser.js';

export { MALFORMED_REASONS, ZeekParser } from './parser.js';
export type { ZeekMalformedReason, ZeekParserOptions } from './parser.js';
export { zeekHandshake } from './handshake.js';

export function createZeekParser(opts: ZeekParserOptions = {}): ZeekParser {
  return new ZeekParser(opts);
}

export const zeekInput: LineInputDefinition = {
  type: 'zeek',
  kind: 'lines',
  description: 'Zeek conn.log (TSV with #fields header, or JSON lines): one event per connection',
  examples: [
    '1713682798.290854\tCpzg4P10IwORGHzdw1\t198.51.100.148\t39416\t192.0.2.201\t1025\ttcp\t-\t0.000063\t0\t0\tREJ\tF\tT\t0\tSr\t1\t44\t1\t40\t-',
    '1704559287.953114\tCvlFuj3X4Ye2IW9WWk\t203.0.113.152\t45139\t192.0.2.68\t22\ttcp\tssh\t6.159326\t2669\t2501\tSF\tF\tT\t0\tShADadFf\t25\t3981\t20\t3549\t-\t6',
    '{"ts":1704738946.055436,"uid":"A9fdsJd8ud03ejlolk","id.orig_h":"203.0.113.10","id.orig_p":5545,"id.resp_h":"192.0.2.13","id.resp_p":123,"proto":"udp","service":"ntp","duration":0.01,"orig_bytes":146,"resp_bytes":167,"conn_state":"SF","local_orig":false,"local_resp":true,"missed_bytes":0,"history":"Dd","orig_pkts":1,"orig_ip_bytes":174,"resp_pkts":1,"resp_ip_bytes":195}',
    '{"ts":"2024-04-21T07:00:03.881226Z","uid":"CG2JC62OPXgDRU0zk1","id.orig_h":"2001:db8:77::5","id.orig_p":128,"id.resp_h":"2001:db8::1","id.resp_p":129,"proto":"icmp","conn_state":"OTH","local_orig":false,"local_resp":true,"history":"-"}',
  ],
  createParser: (o: InputOptions) => new ZeekParser({ timezone: o.timezone }),
};
