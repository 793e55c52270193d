/**
 * The normalised connection-attempt event: what every sensor input produces and what the server counts.
 *
 * Invariants:
 * - `ts` is milliseconds since the Unix epoch (UTC), an integer.
 * - `proto` is one of PROTOCOLS; `port` is the destination port for tcp/udp, the ICMP type for icmp/icmp6,
 *   and the IP protocol number for `other` (so that a protocol scan still lands on a key).
 * - `src` is a canonical IP address string (IPv4 dotted quad, IPv6 compressed lower case, RFC 5952).
 * - `dst`, when present, is already masked by the sensor (e.g. to a /24 or /64 network address).
 */
export const PROTOCOLS = ['tcp', 'udp', 'icmp', 'icmp6', 'other'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export interface AttackEvent {
  /** Event time, ms since epoch (UTC). */
  ts: number;
  proto: Protocol;
  /** Destination port (tcp/udp), ICMP type (icmp/icmp6), IP protocol number (other). */
  port: number;
  /** Source address, canonical text form. */
  src: string;
  /** Source port, where the format has one. */
  sport?: number;
  /** Masked destination (network address), where the sensor keeps it. */
  dst?: string;
  /** TCP flags as upper-case letters in the order FSRPAUEC (e.g. "S" for a SYN), where known. */
  flags?: string;
  /**
   * TCP only: whether the three-way handshake completed (the source is then not spoofed), where the input tells
   * (listeners, Zeek conn_state, Suricata flow state, honeypot sessions). Absent when unknown.
   */
  handshake?: boolean;
  /** Listeners only: a bounded sample of the first payload the source sent. */
  payload?: PayloadSample;
}

/** The first bytes a source sent to a listener: enough to tell a protocol or an exploit apart, never more. */
export interface PayloadSample {
  /** SHA-256 (lower-case hex) of everything received up to the listener's cap. */
  sha256: string;
  /** Base64 of the first bytes (at most PAYLOAD_HEAD_MAX). */
  head: string;
  /** Bytes received (up to the listener's cap). */
  bytes: number;
}

/** Largest payload head a sensor sends, in bytes. */
export const PAYLOAD_HEAD_MAX = 64;

export function isProtocol(value: unknown): value is Protocol {
  return typeof value === 'string' && (PROTOCOLS as readonly string[]).includes(value);
}

/** The aggregation key of an event: `${proto}/${port}`. */
export function portKey(proto: Protocol, port: number): string {
  return `${proto}/${port}`;
}
