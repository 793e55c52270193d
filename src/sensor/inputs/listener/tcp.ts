/**
 * The `tcp-listener` input: binds unused TCP ports and records every accepted connection as an attempt whose
 * handshake completed (flags "S", handshake true), with a sample of the first bytes the source sent.
 *
 * Invariants:
 * - Nothing is ever written to a socket: a connection is read (up to `payload_bytes`, until the peer closes or
 *   `idle_timeout_ms` after the accept) and destroyed, so the listener cannot reflect or amplify anything.
 * - One event per accepted connection, emitted when the connection is done; its `ts` is the accept time.
 * - Memory is bounded: at most `max_concurrent` connections are open (each holds a hash state and a 64-byte
 *   head), and the per-source buckets live in a map of at most `max_sources_tracked` entries.
 * - After close() resolves no socket is open and no event is emitted; connections still open when close() is
 *   called are recorded with what they sent so far.
 */
import net from 'node:net';
import type { Logger } from 'pino';
import type { Clock } from '../../../core/clock.js';
import type { AttackEvent } from '../../../core/event.js';
import type { Listener, ListenerSink } from '../input.js';
import { bindError, bindTargets, isDefaultIPv6Unavailable, ThrottledWarn } from './bind.js';
import type { BindTarget, BoundAddress } from './bind.js';
import type { TcpListenerOptions } from './options.js';
import type { ListenerRefusedReason } from './reasons.js';
import { canonicalSocketAddress, PayloadAccumulator, SourceRateLimiter, sourceKey } from './source.js';

export interface ListenerDeps {
  clock: Clock;
  logger: Logger;
}

interface Connection {
  socket: net.Socket;
  event: AttackEvent;
  payload: PayloadAccumulator;
  timer: NodeJS.Timeout | null;
  done: boolean;
}

export class TcpListener implements Listener {
  readonly type = 'tcp-listener';
  readonly limiter: SourceRateLimiter;
  private readonly servers: net.Server[] = [];
  private readonly bound: BoundAddress[] = [];
  private readonly open = new Set<Connection>();
  private state: 'new' | 'starting' | 'running' | 'closing' | 'closed' = 'new';
  private starting: Promise<void> | null = null;
  private readonly warn: ThrottledWarn;

  constructor(
    private readonly opts: TcpListenerOptions,
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

  /** Connections open now (tests, health). */
  get openConnections(): number {
    return this.open.size;
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
        const server = await this.bindOne(t);
        this.servers.push(server);
        const a = server.address();
        this.bound.push({
          address: t.address,
          port: typeof a === 'object' && a ? a.port : t.port,
          proto: 'tcp',
        });
      } catch (err) {
        if (isDefaultIPv6Unavailable(defaulted, t, err)) {
          this.deps.logger.warn({ input: this.type, address: t.address, port: t.port, err }, 'no IPv6 here');
          continue;
        }
        await this.closeServers();
        this.bound.length = 0;
        this.state = 'closed';
        throw bindError(this.type, t, err);
      }
    }
    if (this.state === 'starting') this.state = 'running';
    this.deps.logger.info({ input: this.type, bound: this.bound }, 'tcp listener started');
  }

  private bindOne(t: BindTarget): Promise<net.Server> {
    const server = net.createServer({ allowHalfOpen: true });
    server.on('connection', (socket) => this.onConnection(socket));
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => {
        server.off('listening', onListening);
        reject(err);
      };
      const onListening = (): void => {
        server.off('error', onError);
        // Later server errors are accept failures (EMFILE...): counted, never fatal.
        server.on('error', (err) => {
          this.refuse('accept_error');
          this.warn.warn('accept failed', err);
        });
        resolve(server);
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen({ host: t.address, port: t.port, ipv6Only: t.ipv6, exclusive: true });
    });
  }

  private refuse(reason: ListenerRefusedReason): void {
    try {
      this.sink.refused(reason);
    } catch (err) {
      this.warn.warn('sink.refused threw', err);
    }
  }

  private onConnection(socket: net.Socket): void {
    socket.on('error', () => {}); // resets are routine; the 'close' that follows ends the connection
    if (this.state !== 'running' && this.state !== 'starting') {
      socket.destroy();
      return;
    }
    const ts = Math.floor(this.deps.clock.now());
    const src = canonicalSocketAddress(socket.remoteAddress);
    const dst = canonicalSocketAddress(socket.localAddress);
    const port = socket.localPort;
    if (src === null || dst === null || port === undefined) {
      this.refuse('no_address');
      socket.destroy();
      return;
    }
    if (this.open.size >= this.opts.max_concurrent) {
      this.refuse('too_many_connections');
      socket.resetAndDestroy();
      return;
    }
    if (!this.limiter.take(sourceKey(src), ts)) {
      this.refuse('rate_limited');
      socket.resetAndDestroy();
      return;
    }
    const event: AttackEvent = { ts, proto: 'tcp', port, src, dst, flags: 'S', handshake: true };
    const sport = socket.remotePort;
    if (sport !== undefined) event.sport = sport;
    const c: Connection = {
      socket,
      event,
      payload: new PayloadAccumulator(this.opts.payload_bytes),
      timer: null,
      done: false,
    };
    this.open.add(c);
    if (c.payload.full) {
      this.finish(c); // payload_bytes 0: record the connection, read nothing
      return;
    }
    const finish = (): void => this.finish(c);
    c.timer = setTimeout(finish, this.opts.idle_timeout_ms);
    socket.on('data', (chunk: Buffer) => {
      c.payload.add(chunk);
      if (c.payload.full) finish();
    });
    socket.on('end', finish);
    socket.on('close', finish);
  }

  /** Ends a connection once: destroys the socket (no byte written) and emits its event. */
  private finish(c: Connection): void {
    if (c.done) return;
    c.done = true;
    if (c.timer !== null) clearTimeout(c.timer);
    this.open.delete(c);
    c.socket.destroy();
    const payload = c.payload.sample();
    if (payload !== undefined) c.event.payload = payload;
    if (this.state === 'closed') return;
    try {
      this.sink.event(c.event);
    } catch (err) {
      this.warn.warn('sink.event threw', err);
    }
  }

  private async closeServers(): Promise<void> {
    const servers = this.servers.splice(0);
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }

  async close(): Promise<void> {
    if (this.starting !== null) await this.starting.catch(() => undefined);
    if (this.state === 'closed') return;
    this.state = 'closing';
    const closing = this.closeServers(); // stops accepting; resolves when the last connection is gone
    for (const c of [...this.open]) this.finish(c);
    await closing;
    this.state = 'closed';
    this.bound.length = 0;
    this.limiter.clear();
  }
}
