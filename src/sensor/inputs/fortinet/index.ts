/**
 * The `fortinet` input: FortiGate traffic and DoS-anomaly logs (FortiOS key=value or CEF) from a followed syslog
 * file. What counts as an attempt, direction and time rules: parser.ts.
 */
import type { LineInputDefinition } from '../registry.js';
import { FortinetParser } from './parser.js';
import type { FortinetParserOptions } from './parser.js';

export { FortinetParser, MALFORMED_REASONS } from './parser.js';
export type { FortinetMalformedReason, FortinetParserOptions } from './parser.js';

export function createFortinetParser(opts: FortinetParserOptions = {}): FortinetParser {
  return new FortinetParser(opts);
}

export const fortinetInput: LineInputDefinition = {
  type: 'fortinet',
  kind: 'lines',
  description: 'FortiGate traffic and DoS-anomaly logs (FortiOS key=value or CEF syslog)',
  examples: [
    'date=2019-05-13 time=11:20:54 logid="0000000013" type="traffic" subtype="forward" level="notice" vd="root" eventtime=1557771654845732410 tz="-0700" srcip=203.0.113.7 srcport=51824 srcintf="port1" srcintfrole="wan" dstip=198.51.100.10 dstport=3389 dstintf="port2" dstintfrole="lan" sessionid=2216 proto=6 action="deny" policyid=0 policytype="policy" service="RDP" dstcountry="Reserved" srccountry="China" trandisp="noop" duration=0 sentbyte=0 rcvdbyte=0 sentpkt=0 appcat="unscanned" crscore=30 craction=131072 crlevel="high"',
    '<189>Mar 22 19:21:00 fw01 date=2016-03-22 time=19:20:46 devname=FGT60E devid=FGT60E0000000000 logid=0000018000 type=anomaly subtype=anomaly level=alert vd="root" severity=critical srcip=198.51.100.35 dstip=192.0.2.84 srcintf="wan1" sessionid=0 action=detected proto=6 service=tcp/36875 count=1903 attack="tcp_syn_flood" srcport=32835 dstport=2960 attackid=100663396 profile="DoS-policy1" msg="anomaly: tcp_syn_flood, 2001 > threshold 2000, repeats 1903 times" crscore=50 crlevel=critical',
    'CEF:0|Fortinet|Fortigate|v6.0.3|00013|traffic:forward deny|3|deviceExternalId=FGT5HD3915800610 FTNTFGTlogid=0000000013 cat=traffic:forward FTNTFGTsubtype=forward FTNTFGTlevel=notice FTNTFGTvd=vdom1 FTNTFGTeventtime=1545937675 src=198.51.100.23 spt=54190 deviceInboundInterface=port11 FTNTFGTsrcintfrole=wan dst=192.0.2.1 dpt=445 deviceOutboundInterface=port12 FTNTFGTdstintfrole=lan proto=6 act=deny FTNTFGTpolicyid=0 app=SMB FTNTFGTduration=0',
  ],
  createParser: (o) => createFortinetParser({ timezone: o.timezone }),
};
