/** Test helpers of the listener tests: a recording sink, real loopback clients, IPv6 availability. */
import dgram from 'node:dgram';
import net from 'node:net';
import pino from 'pino';
import type { AttackEvent } from '../../../core/event.js';
import type { ListenerSink } from '../input.js';

export const silentLogger = pino({ level: 'silent' });

/** A sink that records everything and lets a test wait for a condition on what it recorded. */
export class RecordingSink implements ListenerSink {
  readonly events: AttackEvent[] = [];
  readonly refusals: string[] = [];
  private waiters: Array<{ test: () => boolean; resolve: () => void }> = [];

  event(e: AttackEvent): void {
    this.events.push(e);
    this.check();
  }

  refused(reason: string): void {
    this.refusals.push(reason);
    this.check();
  }

  refusedCount(reason: string): number {
    return this.refusals.filter((r) => r === reason).length;
  }

  /** Resolves once `test()` holds (checked at every event or refusal). */
  until(test: () => boolean): Promise<void> {
    if (test()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ test, resolve }));
  }

  untilEvents(n: number): Promise<void> {
    return this.until(() => this.events.length >= n);
  }

  private check(): void {
    const still: typeof this.waiters = [];
    for (const w of this.waiters) (w.test() ? w.resolve : () => still.push(w))();
    this.waiters = still;
  }
}

/** Polls a condition on a short interval (for state the sink does not see, e.g. open connections). */
export async function waitUntil(test: () => boolean): Promise<void> {
  while (!test()) await new Promise((r) => setTimeout(r, 5));
}

export interface ClientResult {
  /** Bytes the listener sent back (must always be 0). */
  received: number;
  /** How the stream ended: 'end' (a clean end of stream, FIN), 'close', or an error code (ECONNRESET...). */
  ending: string;
  localPort: number;
}

export interface TcpClient {
  socket: net.Socket;
  connected: Promise<void>;
  /** Resolves when the socket is fully closed. */
  result: Promise<ClientResult>;
}

/**
 * Connects to `host:port`, optionally writes `send` and half-closes (`end`), and records what comes back.
 * @example const c = tcpClient('127.0.0.1', port, { send: Buffer.from('hi'), end: true }); await c.result
 */
export function tcpClient(
  host: string,
  port: number,
  opts: { send?: Uint8Array; end?: boolean; localAddress?: string } = {},
): TcpClient {
  const socket = net.connect({ host, port, localAddress: opts.localAddress, allowHalfOpen: true });
  let received = 0;
  let ending = 'close';
  let localPort = 0;
  socket.on('data', (d: Buffer) => (received += d.length));
  socket.on('end', () => {
    if (ending === 'close') ending = 'end';
    socket.destroy();
  });
  socket.on('error', (err: NodeJS.ErrnoException) => {
    if (ending === 'close') ending = err.code ?? 'error';
  });
  const connected = new Promise<void>((resolve, reject) => {
    socket.once('connect', () => {
      localPort = socket.localPort ?? 0;
      if (opts.send !== undefined) socket.write(opts.send);
      if (opts.end === true) socket.end();
      resolve();
    });
    socket.once('error', reject);
  });
  connected.catch(() => undefined);
  const result = new Promise<ClientResult>((resolve) =>
    socket.once('close', () => resolve({ received, ending, localPort })),
  );
  return { socket, connected, result };
}

/** True when a TCP socket can be bound on `host` (::1 needs IPv6; 127.0.0.2 is local on Linux, not on macOS). */
export async function canBind(host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen({ host, port: 0 }, () => s.close(() => resolve(true)));
  });
}

/** A UDP client socket bound on `host` that sends to `target` (default: the same), recording what it receives. */
export async function udpClient(
  host: string,
  target = host,
): Promise<{
  socket: dgram.Socket;
  received: Buffer[];
  send(port: number, msg: Uint8Array): Promise<void>;
  close(): Promise<void>;
}> {
  const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  const received: Buffer[] = [];
  socket.on('message', (m) => received.push(m));
  await new Promise<void>((resolve) => socket.bind({ address: host, port: 0 }, resolve));
  return {
    socket,
    received,
    send: (port, msg) =>
      new Promise<void>((resolve, reject) =>
        socket.send(msg, port, target, (err) => (err ? reject(err) : resolve())),
      ),
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

/** A port free right now on `host` (bound and released; for tests that need the same port on two families). */
export async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen({ host, port: 0 }, () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}
