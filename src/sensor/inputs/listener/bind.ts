/**
 * What the TCP and UDP listeners share around binding: the bound-address record, the config error for a port
 * that cannot be bound, the IPv6-unavailable case of the default addresses, and a log throttle.
 */
import type { Logger } from 'pino';
import { makeError } from '../../../core/errors.js';
import type { StormwatchError } from '../../../core/errors.js';
import { canonicalIp } from '../../net/ip.js';
import { DEFAULT_ADDRESSES } from './options.js';

export interface BoundAddress {
  address: string;
  port: number;
  proto: 'tcp' | 'udp';
}

/** One socket to bind: an address (canonical) and a configured port (0: ephemeral). */
export interface BindTarget {
  address: string;
  port: number;
  ipv6: boolean;
}

/** Every (address, port) pair of the config, addresses outermost. */
export function bindTargets(
  addresses: readonly string[] | undefined,
  ports: readonly number[],
): BindTarget[] {
  const out: BindTarget[] = [];
  for (const a of addresses ?? DEFAULT_ADDRESSES) {
    const address = canonicalIp(a) ?? a;
    for (const port of ports) out.push({ address, port, ipv6: address.includes(':') });
  }
  return out;
}

function errCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'error';
}

const HINTS: Record<string, string> = {
  EADDRINUSE: 'the port is already in use (a listener binds unused ports only)',
  EACCES: 'permission denied (ports below 1024 need CAP_NET_BIND_SERVICE)',
  EADDRNOTAVAIL: 'the address is not one of this host',
  EAFNOSUPPORT: 'the address family is not supported on this host',
};

/** `tcp-listener: cannot bind 127.0.0.1 port 22: EADDRINUSE, the port is already in use (...)` */
export function bindError(type: string, t: BindTarget, err: unknown): StormwatchError {
  const code = errCode(err);
  const hint = HINTS[code];
  return makeError(
    'SW_CONFIG_INVALID',
    `${type}: cannot bind ${t.address} port ${t.port}: ${code}${hint === undefined ? '' : `, ${hint}`}`,
    { cause: err, details: { address: t.address, port: t.port, code } },
  );
}

/**
 * True when `err` says this host has no IPv6 and the address came from the defaults (`::`): the listener then
 * runs on IPv4 only, with a warning, rather than refusing to start on an IPv4-only host.
 */
export function isDefaultIPv6Unavailable(defaulted: boolean, t: BindTarget, err: unknown): boolean {
  const code = errCode(err);
  return (
    defaulted && t.ipv6 && (code === 'EAFNOSUPPORT' || code === 'EADDRNOTAVAIL' || code === 'EPROTONOSUPPORT')
  );
}

/** Logs the first occurrence of a runtime socket error and then one in every 1000 (an error storm stays quiet). */
export class ThrottledWarn {
  private count = 0;

  constructor(
    private readonly logger: Logger,
    private readonly type: string,
  ) {}

  warn(what: string, err: unknown): void {
    if (this.count++ % 1000 !== 0) return;
    this.logger.warn({ input: this.type, err, occurrences: this.count }, `${this.type}: ${what}`);
  }
}
