/**
 * The `pcap` input: packet captures written by tcpdump -w, dumpcap, Wireshark (classic pcap in either byte order
 * with micro- or nanosecond stamps, and pcapng), one event per packet that starts an attempt (rules in
 * packet.ts, framing in decoder.ts). Also the entry point of the benchmark and the CLI (`decodePcapBuffer`).
 */
import { z } from 'zod';
import type { Clock } from '../../../core/clock.js';
import type { AttackEvent } from '../../../core/event.js';
import type { ParseResult } from '../input.js';
import type { PacketInputDefinition } from '../registry.js';
import { PcapDecoder } from './decoder.js';
import { parseCidr } from './networks.js';

export { PcapDecoder, PCAP_RECORD_CAP, PCAPNG_BLOCK_CAP } from './decoder.js';
export type { PcapDecoderOptions } from './decoder.js';
export { LINKTYPE, MALFORMED_REASONS, PacketReader } from './packet.js';
export type { PcapMalformedReason } from './packet.js';
export { NetworkList, parseCidr } from './networks.js';

/** Options of a `pcap` input entry. */
export const pcapOptionsSchema = z.strictObject({
  /** The protected network's own prefixes: packets from these sources are outbound and skipped. */
  local_networks: z
    .array(
      z.string().refine((s) => parseCidr(s) !== null, {
        message: 'must be a CIDR network such as 192.0.2.0/24 or 2001:db8::/32',
      }),
    )
    .optional(),
});
export type PcapOptions = z.infer<typeof pcapOptionsSchema>;

export const pcapInput: PacketInputDefinition = {
  type: 'pcap',
  kind: 'packets',
  description:
    'Packet captures (pcap in either byte order, µs or ns, and pcapng): TCP SYN and FIN/NULL/XMAS scans, UDP, ICMP requests',
  optionsSchema: pcapOptionsSchema,
  createDecoder: (o) => {
    // The config loader validated the options already; parsing again throws on a caller that did not.
    const opts = pcapOptionsSchema.parse(o.options ?? {});
    return new PcapDecoder({ localNetworks: opts.local_networks });
  },
};

export interface PcapBufferResult {
  /** Packet records seen (events + skipped + malformed). */
  packets: number;
  events: AttackEvent[];
  /** Counts per skip reason and per malformed reason. */
  skipped: Record<string, number>;
  malformed: Record<string, number>;
  /** Bytes of whole records (and file headers) decoded; the rest is a partial record at the end. */
  consumed: number;
  fatal?: string;
}

/**
 * Decodes a whole capture held in memory: what the sensor does with a followed file, events collected.
 * @example const { events, packets } = decodePcapBuffer(readFileSync('scan.pcap'))
 */
export function decodePcapBuffer(
  buf: Uint8Array,
  opts: { localNetworks?: readonly string[]; clock?: Clock } = {},
): PcapBufferResult {
  const decoder = new PcapDecoder(opts);
  const out: PcapBufferResult = { packets: 0, events: [], skipped: {}, malformed: {}, consumed: 0 };
  const r = decoder.feed(buf, (res: ParseResult) => {
    out.packets++;
    if (res.kind === 'event') out.events.push(res.event);
    else {
      const counts = res.kind === 'skip' ? out.skipped : out.malformed;
      counts[res.reason] = (counts[res.reason] ?? 0) + 1;
    }
  });
  out.consumed = r.consumed;
  if (r.fatal !== undefined) out.fatal = r.fatal;
  return out;
}
