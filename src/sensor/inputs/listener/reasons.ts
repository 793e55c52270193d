/**
 * Why a listener refused an attempt (ListenerSink.refused), a closed set of snake_case counters:
 * - `rate_limited`: the source (IPv4 address or IPv6 /64) is over its token bucket (connection destroyed at
 *   once, datagram dropped);
 * - `too_many_connections`: `max_concurrent` TCP connections were already open (connection destroyed at once);
 * - `no_address`: the socket had no usable remote address (the peer was already gone when it was accepted);
 * - `accept_error`: the kernel refused to hand over a connection (EMFILE, ENFILE...), or a socket error.
 * Refused attempts give no event.
 */
export const LISTENER_REFUSED_REASONS = [
  'rate_limited',
  'too_many_connections',
  'no_address',
  'accept_error',
] as const;
export type ListenerRefusedReason = (typeof LISTENER_REFUSED_REASONS)[number];
