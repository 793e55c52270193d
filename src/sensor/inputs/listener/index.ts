/**
 * The socket listener inputs: `tcp-listener` and `udp-listener` bind unused ports and record every connection
 * or datagram that reaches them, never answering. See tcp.ts and udp.ts for the invariants, options.ts for the
 * options and their bounds, reasons.ts for the refused counters.
 */
import type { ListenerInputDefinition } from '../registry.js';
import { parseListenerOptions, tcpListenerOptionsSchema, udpListenerOptionsSchema } from './options.js';
import { TcpListener } from './tcp.js';
import { UdpListener } from './udp.js';

export { TcpListener } from './tcp.js';
export type { ListenerDeps } from './tcp.js';
export { UdpListener } from './udp.js';
export { LISTENER_REFUSED_REASONS } from './reasons.js';
export type { ListenerRefusedReason } from './reasons.js';
export { tcpListenerOptionsSchema, udpListenerOptionsSchema } from './options.js';
export type { TcpListenerOptions, UdpListenerOptions } from './options.js';
export { SourceRateLimiter, canonicalSocketAddress, sourceKey } from './source.js';

export const tcpListenerInput: ListenerInputDefinition = {
  type: 'tcp-listener',
  kind: 'listener',
  description:
    'Listens on unused TCP ports: every accepted connection (handshake completed) with a hash and head of its first bytes; never answers',
  optionsSchema: tcpListenerOptionsSchema,
  createListener: (o, sink, deps) =>
    new TcpListener(parseListenerOptions('tcp-listener', tcpListenerOptionsSchema, o.options), sink, deps),
};

export const udpListenerInput: ListenerInputDefinition = {
  type: 'udp-listener',
  kind: 'listener',
  description:
    'Listens on unused UDP ports: every datagram with a hash and head of its first bytes; never answers',
  optionsSchema: udpListenerOptionsSchema,
  createListener: (o, sink, deps) =>
    new UdpListener(parseListenerOptions('udp-listener', udpListenerOptionsSchema, o.options), sink, deps),
};
