/**
 * The `cisco-asa` input: Cisco ASA / PIX / FWSM / Firepower Threat Defense syslog lines (`%ASA-4-106023: ...`),
 * with or without a syslog header, and bare message texts as collectors forward them. Rules in parser.ts.
 */
import { systemClock } from '../../../core/clock.js';
import { countLineResults } from '../count-lines.js';
import type { BufferParseCounts } from '../count-lines.js';
import type { LineInputDefinition } from '../registry.js';
import { CiscoAsaParser } from './parser.js';
import type { CiscoAsaParserOptions } from './parser.js';

export type { BufferParseCounts } from '../count-lines.js';
export { CiscoAsaParser, MALFORMED_REASONS } from './parser.js';
export type { CiscoAsaMalformedReason, CiscoAsaParserOptions } from './parser.js';

export function createCiscoAsaParser(opts: CiscoAsaParserOptions = {}): CiscoAsaParser {
  return new CiscoAsaParser(opts);
}

export const ciscoAsaInput: LineInputDefinition = {
  type: 'cisco-asa',
  kind: 'lines',
  description:
    'Cisco ASA / PIX / FTD syslog (%ASA-n-id): denies, ACL hits, inbound connections, FTD connection events',
  examples: [
    '<164>Aug 28 2022 19:34:14: %ASA-4-106023: Deny tcp src outside:203.0.113.190/63659 dst dmz-1:192.0.2.142/8827 by access-group "outside_access_in" [0x0, 0x0]',
    'Mar 11 20:35:11 fw01 : %ASA-6-106100: access-list outside_in denied udp outside/198.51.100.23(5353) -> dmz/192.0.2.5(1900) hit-cnt 1 first hit [0x5f2b1c3a, 0x0]',
    '%ASA-2-106001: Inbound TCP connection denied from 203.0.113.9/51234 to 192.0.2.1/3389 flags SYN on interface outside',
    '%FTD-1-430002: EventPriority: Low, DeviceUUID: 11111111-1111-1111-1111-111111111111, InstanceID: 3, FirstPacketSecond: 2023-07-27T08:13:09Z, ConnectionID: 62230, AccessControlRuleAction: Block, SrcIP: 198.51.100.4, DstIP: 192.0.2.8, SrcPort: 63853, DstPort: 445, Protocol: tcp, IngressInterface: outside, EgressInterface: inside',
  ],
  createParser: (o) => new CiscoAsaParser({ timezone: o.timezone }),
};

/**
 * Parses every line of `buf` (LF-terminated; a last line without LF counts too) and counts the outcomes.
 * For benchmarks: the work per line is exactly what the sensor does, events included.
 * @example const { events } = parseCiscoAsaBuffer(readFileSync('asa.log'), { now: Date.now(), timezone: 'utc' })
 */
export function parseCiscoAsaBuffer(
  buf: Buffer,
  opts: { now?: number; timezone?: 'utc' | 'local'; parser?: CiscoAsaParser } = {},
): BufferParseCounts {
  const parser = opts.parser ?? new CiscoAsaParser({ timezone: opts.timezone ?? 'utc' });
  return countLineResults(parser, buf, { now: opts.now ?? systemClock.now() });
}
