/**
 * The `juniper` input: Juniper SRX (Junos OS) RT_FLOW session and RT_IDS screen logs, classic or structured-data
 * syslog, from a followed file. What counts, direction and time rules: parser.ts.
 * Option `inboundZones`: the source zones that face the outside (without it every record is inbound).
 */
import { z } from 'zod';
import type { InputOptions, LineInputDefinition } from '../registry.js';
import { JuniperParser } from './parser.js';
import type { JuniperParserOptions } from './parser.js';

export { JuniperParser, MALFORMED_REASONS } from './parser.js';
export type { JuniperMalformedReason, JuniperParserOptions } from './parser.js';

export const juniperOptionsSchema = z.strictObject({
  /** Source zones facing the outside (e.g. ["untrust"]); records from other zones are skipped as outbound. */
  inboundZones: z.array(z.string().min(1)).min(1).optional(),
});
export type JuniperOptions = z.infer<typeof juniperOptionsSchema>;

export function createJuniperParser(opts: JuniperParserOptions = {}): JuniperParser {
  return new JuniperParser(opts);
}

export const juniperInput: LineInputDefinition = {
  type: 'juniper',
  kind: 'lines',
  description: 'Juniper SRX (Junos OS) RT_FLOW session and RT_SCREEN logs, classic or structured-data syslog',
  optionsSchema: juniperOptionsSchema,
  examples: [
    'Sep 29 23:49:20 srx-1 RT_FLOW: RT_FLOW_SESSION_DENY: session denied 203.0.113.9/54924->192.0.2.1/23 junos-telnet 6(0) default-deny(global) untrust trust UNKNOWN UNKNOWN N/A(N/A) ge-0/0/0.0 UNKNOWN policy deny',
    '<14>1 2017-09-23T13:54:54.803Z srx-1 RT_FLOW - RT_FLOW_SESSION_CREATE [junos@2636.1.1.1.2.39 source-address="198.51.100.4" source-port="51234" destination-address="192.0.2.10" destination-port="443" connection-tag="0" service-name="junos-https" nat-source-address="198.51.100.4" nat-source-port="51234" nat-destination-address="10.0.0.10" nat-destination-port="443" nat-connection-tag="0" src-nat-rule-type="N/A" src-nat-rule-name="N/A" dst-nat-rule-type="destination rule" dst-nat-rule-name="web" protocol-id="6" policy-name="allow-web" source-zone-name="untrust" destination-zone-name="dmz" session-id-32="4294" username="N/A" roles="N/A" packet-incoming-interface="ge-0/0/0.0" application="UNKNOWN" nested-application="UNKNOWN" encrypted="UNKNOWN"]',
    'Mar  3 10:15:02 srx-1 RT_IDS: RT_SCREEN_TCP: SYN flood! source: 203.0.113.77:40001, destination: 192.0.2.20:22, zone name: untrust, interface name: ge-0/0/0.0, action: drop',
  ],
  createParser: (o: InputOptions) => {
    const opts = juniperOptionsSchema.parse(o.options ?? {});
    return createJuniperParser({ timezone: o.timezone, inboundZones: opts.inboundZones });
  },
};
