/**
 * The `paloalto` input: PAN-OS TRAFFIC and zone-protection THREAT logs (CSV syslog, or the CEF and JSON forms of
 * Panorama / Cortex log forwarding) from a followed file. What counts, direction and time rules: parser.ts.
 * Option `inboundZones`: the source zones that face the outside (without it every record is inbound).
 */
import { z } from 'zod';
import type { InputOptions, LineInputDefinition } from '../registry.js';
import { PaloAltoParser } from './parser.js';
import type { PaloAltoParserOptions } from './parser.js';

export { PaloAltoParser, MALFORMED_REASONS } from './parser.js';
export type { PaloAltoMalformedReason, PaloAltoParserOptions } from './parser.js';

export const paloaltoOptionsSchema = z.strictObject({
  /** Source zones facing the outside (e.g. ["untrust"]); records from other zones are skipped as outbound. */
  inboundZones: z.array(z.string().min(1)).min(1).optional(),
});
export type PaloAltoOptions = z.infer<typeof paloaltoOptionsSchema>;

export function createPaloAltoParser(opts: PaloAltoParserOptions = {}): PaloAltoParser {
  return new PaloAltoParser(opts);
}

export const paloaltoInput: LineInputDefinition = {
  type: 'paloalto',
  kind: 'lines',
  description: 'Palo Alto Networks PAN-OS TRAFFIC and zone-protection THREAT logs (CSV syslog, CEF or JSON)',
  optionsSchema: paloaltoOptionsSchema,
  examples: [
    '<14>May 13 11:20:55 PA-3220 1,2019/05/13 11:20:54,013201001234,TRAFFIC,deny,2305,2019/05/13 11:20:54,203.0.113.7,198.51.100.10,0.0.0.0,0.0.0.0,deny-all,,,not-applicable,vsys1,untrust,dmz,ethernet1/1,,default,2019/05/13 11:20:54,0,1,51824,3389,0,0,0x0,tcp,deny,66,66,0,1,2019/05/13 11:20:54,0,any,0,6743221905,0x0,CN,192.0.2.0-192.0.2.255,0,1,0,policy-deny,0,0,0,0,,PA-3220,from-policy,,,0,,0,,N/A,0,0,0,0',
    '1,2023/06/16 10:41:44,001701003551,TRAFFIC,end,2305,2023/06/16 10:41:44,198.51.100.23,192.0.2.8,0.0.0.0,0.0.0.0,allow-web,,,web-browsing,vsys1,untrust,dmz,ethernet1/1,ethernet1/2,default,2023/06/16 10:41:44,234981,1,51413,80,0,0,0x1c,tcp,allow,2346,1974,372,9,2023/06/16 10:41:26,16,any,0,69678105127,0x0,US,192.0.2.0-192.0.2.255,0,6,3,tcp-fin,0,0,0,0,,PA-3220,from-policy,,,0,,0,,N/A,0,0,0,0,5e7eca5b-f585-4633-bbd4-9ed431f7f95b,0,0,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,2023-06-16T10:41:44.512+02:00,,',
    'CEF:0|Palo Alto Networks|LF|2.0|TRAFFIC|end|3|dtz=UTC rt=Jul 31 2022 12:46:24 deviceExternalId=000000000000 start=Jul 31 2022 12:46:07 src=203.0.113.4 dst=192.0.2.6 cs1=allow-rdp cs1Label=Rule app=ms-rdp cs4=untrust cs4Label=FromZone cs5=dmz cs5Label=ToZone cn1=595456 cn1Label=SessionID cnt=1 spt=52066 dpt=3389 proto=tcp act=allow reason=tcp-fin',
  ],
  createParser: (o: InputOptions) => {
    const opts = paloaltoOptionsSchema.parse(o.options ?? {});
    return createPaloAltoParser({ timezone: o.timezone, inboundZones: opts.inboundZones });
  },
};
