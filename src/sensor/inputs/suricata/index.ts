/**
 * The `suricata` input: Suricata EVE JSON lines (eve.json), plain or after a syslog header. See parser.ts for
 * which records count as attempts (flow records by default) and why.
 */
import { z } from 'zod';
import type { InputOptions, LineInputDefinition } from '../registry.js';
import { EVENT_TYPES, SuricataParser } from './parser.js';
import type { SuricataParserOptions } from './parser.js';

export { EVENT_TYPES, MALFORMED_REASONS, SuricataParser } from './parser.js';
export type { SuricataEventType, SuricataMalformedReason, SuricataParserOptions } from './parser.js';

export const suricataOptionsSchema = z.strictObject({
  /** EVE event types that count as connection attempts; the default counts each flow once. */
  event_types: z.array(z.enum(EVENT_TYPES)).min(1, 'at least one event type is needed').default(['flow']),
});

export function createSuricataParser(opts: SuricataParserOptions = {}): SuricataParser {
  return new SuricataParser(opts);
}

export const suricataInput: LineInputDefinition = {
  type: 'suricata',
  kind: 'lines',
  description: 'Suricata EVE JSON (eve.json): one event per flow record; alert and drop records optional',
  examples: [
    '{"timestamp":"2024-01-09T15:12:24.540473+0000","flow_id":1820734905123445,"in_iface":"eth0","event_type":"flow","src_ip":"198.51.100.23","src_port":49250,"dest_ip":"192.0.2.4","dest_port":445,"proto":"TCP","flow":{"pkts_toserver":1,"pkts_toclient":1,"bytes_toserver":60,"bytes_toclient":54,"start":"2024-01-09T15:07:44.721525+0000","end":"2024-01-09T15:07:44.740950+0000","age":0,"state":"closed","reason":"timeout","alerted":false},"tcp":{"tcp_flags":"16","tcp_flags_ts":"02","tcp_flags_tc":"14","syn":true,"rst":true,"ack":true,"state":"closed"}}',
    '{"timestamp":"2024-01-09T15:20:01.003117+0100","flow_id":911610881873910,"in_iface":"eth1","event_type":"flow","src_ip":"203.0.113.77","src_port":5062,"dest_ip":"192.0.2.10","dest_port":5060,"proto":"UDP","app_proto":"sip","flow":{"pkts_toserver":1,"pkts_toclient":0,"bytes_toserver":442,"bytes_toclient":0,"start":"2024-01-09T15:19:31.001914+0100","end":"2024-01-09T15:19:31.001914+0100","age":0,"state":"new","reason":"timeout","alerted":false}}',
    '{"timestamp":"2024-01-09T15:13:00.667785+0000","flow_id":896178426658321,"in_iface":"eth0","event_type":"flow","src_ip":"2001:0db8:0000:0000:0000:0000:0000:0077","dest_ip":"2001:0db8:0000:0000:0000:0000:0000:0001","proto":"IPv6-ICMP","icmp_type":128,"icmp_code":0,"flow":{"pkts_toserver":1,"pkts_toclient":0,"bytes_toserver":70,"bytes_toclient":0,"start":"2024-01-09T15:12:46.245265+0000","end":"2024-01-09T15:12:46.245265+0000","age":0,"state":"new","reason":"timeout","alerted":false}}',
  ],
  optionsSchema: suricataOptionsSchema,
  createParser: (o: InputOptions) => {
    const parsed = suricataOptionsSchema.parse(o.options ?? {});
    return new SuricataParser({ timezone: o.timezone, eventTypes: parsed.event_types });
  },
};
