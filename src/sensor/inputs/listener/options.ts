/**
 * Options of the socket listeners (`tcp-listener`, `udp-listener`): one zod schema per type, and the parse that
 * turns a config entry's `options` into typed values with the defaults applied.
 *
 * Bounds are part of the contract: every option that sizes memory or work has a maximum, so that no config
 * value can make a listener grow without bound (payload cap 4096 bytes, at most 1024 ports, etc.).
 */
import { z } from 'zod';
import { makeError } from '../../../core/errors.js';
import { canonicalIp } from '../../net/ip.js';
import { formatPath } from '../../config-errors.js';

/** Addresses bound when the config names none: all IPv4 and all IPv6 addresses, as two separate sockets. */
export const DEFAULT_ADDRESSES: readonly string[] = ['0.0.0.0', '::'];
export const PAYLOAD_BYTES_MAX = 4096;

const port = z.number().int().min(0, 'ports are 1..65535 (0: an ephemeral port)').max(65535);
const address = z
  .string()
  .refine((a) => canonicalIp(a) !== null, 'must be an IP address literal (no host names)');

const baseShape = {
  /** Ports to bind on every address; 0 binds an ephemeral port (tests; read the real one from addresses()). */
  ports: z
    .array(port)
    .min(1, 'at least one port is needed')
    .max(1024)
    .refine((ps) => new Set(ps.filter((p) => p !== 0)).size === ps.filter((p) => p !== 0).length, {
      message: 'a port is listed twice',
    }),
  /** Local addresses to bind (IPv4 and IPv6 sockets are separate: IPv6 ones are bound ipv6Only). */
  addresses: z
    .array(address)
    .min(1)
    .max(64)
    .refine((as) => new Set(as.map((a) => canonicalIp(a))).size === as.length, {
      message: 'an address is listed twice',
    })
    .optional(),
  /** Most bytes read (TCP) or sampled (UDP) from one connection or datagram. */
  payload_bytes: z.number().int().min(0).max(PAYLOAD_BYTES_MAX).default(64),
  /** Token bucket per source (IPv4 address, or IPv6 /64): `burst` attempts at once, refilled `per_minute`. */
  per_source: z
    .strictObject({
      burst: z.number().int().min(1).max(1_000_000),
      per_minute: z.number().min(0).max(60_000_000),
    })
    .default({ burst: 20, per_minute: 60 }),
  /** Sources whose buckets are remembered; the least recently seen is forgotten beyond this. */
  max_sources_tracked: z.number().int().min(1).max(10_000_000).default(100_000),
};

export const udpListenerOptionsSchema = z.strictObject(baseShape);

export const tcpListenerOptionsSchema = z.strictObject({
  ...baseShape,
  /** How long (ms, from the accept) a connection may stay open sending its first bytes before it is recorded and closed. */
  idle_timeout_ms: z.number().int().min(1).max(600_000).default(5000),
  /** Connections open at once; more are closed at once and counted as refused `too_many_connections`. */
  max_concurrent: z.number().int().min(1).max(65_536).default(256),
});

export type UdpListenerOptions = z.output<typeof udpListenerOptionsSchema>;
export type TcpListenerOptions = z.output<typeof tcpListenerOptionsSchema>;

/**
 * Validates a config entry's `options` (already validated by the config loader, so this normally only types
 * them; it also makes direct users of createListener safe).
 * @throws SW_CONFIG_INVALID listing every problem.
 */
export function parseListenerOptions<S extends z.ZodType>(
  type: string,
  schema: S,
  options: unknown,
): z.output<S> {
  const r = schema.safeParse(options ?? {});
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => `${formatPath(['options', ...i.path])}: ${i.message}`);
  throw makeError('SW_CONFIG_INVALID', `${type}: ${problems.join('; ')}`);
}
