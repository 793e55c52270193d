/**
 * The `udp-listener` input: binds unused UDP ports and records every datagram as an attempt, with a sample of
 * its first bytes (an empty datagram is an event without payload).
 *
 * Invariants:
 * - Nothing is ever sent: the socket is only read, so the listener cannot reflect or amplify (UDP sources are
 *   trivially spoofed; a sensor that answered would be a reflector).
 * - Each datagram is handled synchronously and not kept: memory is the per-source bucket map, bounded by
 *   `max_sources_tracked`.
 * - `dst` is the bound address; a socket bound to 0.0.0.0 or :: cannot tell which local address a datagram was
 *   sent to (Node exposes no IP_PKTINFO), so its events carry no `dst`.
 * - After close() resolves no socket is open and no event is emitted.
 */
import dgram from 'node:dgram';
import type { AttackEvent } from '../../../core/event.js';
import type { Listener, ListenerSink } from '../input.js';
import { bindError, bindTargets, isDefaultIPv6Unavailable, ThrottledWarn } from './bind.js';
import type { BindTarget, BoundAddress } from './bind.js';
import type { UdpListenerOptions } from './options.js';
import type { ListenerRefusedReason } from './reasons.js';
import {
  canonicalSocketAddress,
  datagramSample,
  isUnspecified,
  SourceRateLimiter,
  sourceKey,
} from './source.js';
import type { ListenerDeps } from './tcp.js';

export class UdpListener implements Listener {
  readonly type = 'udp-listener';
  readonly limiter: SourceRateLimiter;
  private readonly sockets: dgram.Socket[] = [];
  private readonly bound: BoundAddress[] = [];
  private state: 'new' | 'starting' | 'running' | 'closed' = 'new';
  private starting: Promise<void> | null = null;
  private readonly warn: ThrottledWarn;

  constructor(
    private readonly opts: UdpListenerOptions,
    private readonly sink: ListenerSink,
    private readonly deps: ListenerDeps,
  ) {
    this.limiter = new SourceRateLimiter(
      opts.per_source.burst,
      opts.per_source.per_minute,
      opts.max_sources_tracked,
    );
    this.warn = new ThrottledWarn(deps.logger, this.type);
  }

  addresses(): BoundAddress[] {
    return this.bound.map((b) => ({ ...b }));
  }

  start(): Promise<void> {
    if (this.state !== 'new')
      return Promise.reject(new Error(`${this.type}: start() called twice (or after close)`));
    this.state = 'starting';
    this.starting = this.bindAll();
    return this.starting;
  }

  private async bindAll(): Promise<void> {
    const defaulted = this.opts.addresses === undefined;
    for (const t of bindTargets(this.opts.addresses, this.opts.ports)) {
      try {
        const socket = await this.bindOne(t);
        this.sockets.push(socket);
        this.bound.push({ address: t.address, port: socket.address().port, proto: 'udp' });
      } catch (err) {
        if (isDefaultIPv6Unavailable(defaulted, t, err)) {
          this.deps.logger.warn({ input: this.type, address: t.address, port: t.port, err }, 'no IPv6 here');
          continue;
        }
        await this.closeSockets();
        this.bound.length = 0;
        this.state = 'closed';
        throw bindError(this.type, t, err);
      }
    }
    if (this.state === 'starting') this.state = 'running';
    this.deps.logger.info({ input: this.type, bound: this.bound }, 'udp listener started');
  }

  private bindOne(t: BindTarget): Promise<dgram.Socket> {
    let socket: dgram.Socket;
    try {
      socket = dgram.createSocket({ type: t.ipv6 ? 'udp6' : 'udp4', ipv6Only: t.ipv6 });
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    const dst = isUnspecified(t.address) ? undefined : t.address;
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => {
        socket.off('listening', onListening);
        socket.close();
        reject(err);
      };
      const onListening = (): void => {
        socket.off('error', onError);
        socket.on('error', (err) => {
          this.refuse('accept_error');
          this.warn.warn('socket error', err);
        });
        const port = socket.address().port;
        socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo, dst, port));
        resolve(socket);
      };
      socket.once('error', onError);
      socket.once('listening', onListening);
      socket.bind({ address: t.address, port: t.port, exclusive: true });
    });
  }

  private refuse(reason: ListenerRefusedReason): void {
    try {
      this.sink.refused(reason);
    } catch (err) {
      this.warn.warn('sink.refused threw', err);
    }
  }

  private onMessage(msg: Buffer, rinfo: dgram.RemoteInfo, dst: string | undefined, port: number): void {
    if (this.state !== 'running' && this.state !== 'starting') return;
    const ts = Math.floor(this.deps.clock.now());
    const src = canonicalSocketAddress(rinfo.address);
    if (src === null) {
      this.refuse('no_address');
      return;
    }
    if (!this.limiter.take(sourceKey(src), ts)) {
      this.refuse('rate_limited');
      return;
    }
    const event: AttackEvent = { ts, proto: 'udp', port, src, sport: rinfo.port };
    if (dst !== undefined) event.dst = dst;
    const payload = datagramSample(msg, this.opts.payload_bytes);
    if (payload !== undefined) event.payload = payload;
    try {
      this.sink.event(event);
    } catch (err) {
      this.warn.warn('sink.event threw', err);
    }
  }

  private async closeSockets(): Promise<void> {
    const sockets = this.sockets.splice(0);
    await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }

  async close(): Promise<void> {
    if (this.starting !== null) await this.starting.catch(() => undefined);
    if (this.state === 'closed') return;
    this.state = 'closed'; // no event from here on, even for datagrams already queued
    await this.closeSockets();
    this.bound.length = 0;
    this.limiter.clear();
  }
}
