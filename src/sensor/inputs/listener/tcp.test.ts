/**
 * The tcp-listener on real loopback sockets (127.0.0.1, ::1; ephemeral ports). Expected values come from what
 * the client did (its port, the bytes it sent hashed here), never from what the listener printed.
 */
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../../core/clock.js';
import { isStormwatchError } from '../../../core/errors.js';
import type { Listener } from '../input.js';
import { TcpListener, tcpListenerInput } from './index.js';
import { freePort, canBind, RecordingSink, silentLogger, tcpClient, waitUntil } from './test-helpers.js';

const T0 = Date.UTC(2024, 4, 1, 12, 0, 0);
const v6 = await canBind('::1');
if (!v6) console.warn('tcp-listener tests: ::1 cannot be bound here, IPv6 cases are skipped');
const lo2 = await canBind('127.0.0.2');
if (!lo2) console.warn('tcp-listener tests: 127.0.0.2 is not local here, second-source cases are skipped');

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

let listeners: Listener[] = [];
afterEach(async () => {
  await Promise.all(listeners.map((l) => l.close()));
  listeners = [];
  vi.restoreAllMocks();
});

async function start(options: Record<string, unknown>, clock = new ManualClock(T0)) {
  const sink = new RecordingSink();
  const listener = tcpListenerInput.createListener(
    { timezone: 'utc', options: { addresses: ['127.0.0.1'], ports: [0], ...options } },
    sink,
    { clock, logger: silentLogger },
  );
  expect(listener).toBeInstanceOf(TcpListener);
  listeners.push(listener);
  await listener.start();
  const first = listener.addresses()[0];
  if (first === undefined) throw new Error('nothing bound');
  return { listener: listener as TcpListener, sink, port: first.port, clock };
}

describe('tcp-listener', () => {
  it('records a connection without payload: handshake completed, flags S, both ends, no byte back', async () => {
    const { sink, port, listener } = await start({});
    expect(listener.addresses()).toEqual([{ address: '127.0.0.1', port, proto: 'tcp' }]);
    const c = tcpClient('127.0.0.1', port, { end: true });
    const r = await c.result;
    await sink.untilEvents(1);
    expect(r).toEqual({ received: 0, ending: 'end', localPort: r.localPort });
    expect(sink.events).toEqual([
      {
        ts: T0,
        proto: 'tcp',
        port,
        src: '127.0.0.1',
        sport: r.localPort,
        dst: '127.0.0.1',
        flags: 'S',
        handshake: true,
      },
    ]);
    expect('payload' in sink.events[0]!).toBe(false);
    expect(sink.refusals).toEqual([]);
  });

  it('samples the payload (sha256, base64 head, bytes) and answers nothing: the client sees a clean end', async () => {
    const { sink, port } = await start({});
    const request = Buffer.from('GET / HTTP/1.1\r\nHost: 192.0.2.1\r\n\r\n');
    const writes = vi.spyOn(net.Socket.prototype, 'write');
    const ends = vi.spyOn(net.Socket.prototype, 'end');
    const c = tcpClient('127.0.0.1', port, { send: request, end: true });
    const r = await c.result;
    await sink.untilEvents(1);
    expect(r.received).toBe(0);
    expect(r.ending).toBe('end');
    expect(sink.events[0]?.payload).toEqual({
      sha256: sha(request),
      head: request.toString('base64'),
      bytes: request.length,
    });
    // The only sockets that wrote or ended were the client's.
    expect(writes.mock.contexts.filter((s) => s !== c.socket)).toEqual([]);
    expect(ends.mock.contexts.filter((s) => s !== c.socket)).toEqual([]);
  });

  it('reads at most payload_bytes, hashes exactly those and heads the first 64', async () => {
    const { sink, port } = await start({ payload_bytes: 100, idle_timeout_ms: 10_000 });
    const data = randomBytes(1000);
    const r = await tcpClient('127.0.0.1', port, { send: data }).result; // never ends: the cap closes it
    await sink.untilEvents(1);
    expect(r.received).toBe(0);
    expect(sink.events[0]?.payload).toEqual({
      sha256: sha(data.subarray(0, 100)),
      head: data.subarray(0, 64).toString('base64'),
      bytes: 100,
    });
  });

  it('a cap below 64 bytes also caps the head; a payload in several writes is read whole', async () => {
    const small = await start({ payload_bytes: 10 });
    await tcpClient('127.0.0.1', small.port, { send: Buffer.from('0123456789abcdef') }).result;
    await small.sink.untilEvents(1);
    expect(small.sink.events[0]?.payload).toEqual({
      sha256: sha(Buffer.from('0123456789')),
      head: Buffer.from('0123456789').toString('base64'),
      bytes: 10,
    });

    const big = await start({ payload_bytes: 4096 });
    const parts = [randomBytes(1500), randomBytes(1500), randomBytes(1500)];
    const c = tcpClient('127.0.0.1', big.port);
    await c.connected;
    c.socket.setNoDelay(true);
    for (const p of parts)
      await new Promise<void>((resolve) => c.socket.write(p, () => setImmediate(resolve)));
    expect((await c.result).received).toBe(0);
    await big.sink.untilEvents(1);
    const all = Buffer.concat(parts).subarray(0, 4096);
    expect(big.sink.events[0]?.payload).toEqual({
      sha256: sha(all),
      head: all.subarray(0, 64).toString('base64'),
      bytes: 4096,
    });
  });

  it('closes a connection that stays open idle_timeout_ms after the accept, with what it sent', async () => {
    const { sink, port, listener } = await start({ idle_timeout_ms: 30 });
    const c = tcpClient('127.0.0.1', port, { send: Buffer.from('abc') }); // no end: only the timeout closes it
    const r = await c.result;
    await sink.untilEvents(1);
    expect(r).toMatchObject({ received: 0, ending: 'end' });
    expect(sink.events[0]?.payload?.bytes).toBe(3);
    expect(listener.openConnections).toBe(0);
  });

  it('payload_bytes 0 records the connection at once without reading', async () => {
    const { sink, port } = await start({ payload_bytes: 0, idle_timeout_ms: 10_000 });
    const r = await tcpClient('127.0.0.1', port).result;
    await sink.untilEvents(1);
    expect(r.received).toBe(0);
    expect(sink.events[0]).not.toHaveProperty('payload');
  });

  it('stamps the event with the accept time, not the time the connection ended', async () => {
    const { sink, port, listener, clock } = await start({ idle_timeout_ms: 10_000 });
    const c = tcpClient('127.0.0.1', port);
    await c.connected;
    await waitUntil(() => listener.openConnections === 1);
    clock.set(T0 + 60_000);
    c.socket.end('late');
    await c.result;
    await sink.untilEvents(1);
    expect(sink.events[0]).toMatchObject({ ts: T0, payload: { bytes: 4 } });
  });

  it.skipIf(!v6)('IPv6: a connection to ::1 has canonical IPv6 source and destination', async () => {
    const { sink, port } = await start({ addresses: ['0:0:0:0:0:0:0:1'] });
    const r = await tcpClient('::1', port, { send: Buffer.from('x'), end: true }).result;
    await sink.untilEvents(1);
    expect(r).toMatchObject({ received: 0, ending: 'end' });
    expect(sink.events[0]).toMatchObject({ proto: 'tcp', port, src: '::1', sport: r.localPort, dst: '::1' });
  });

  it.skipIf(!v6)(
    'binds IPv4 and IPv6 separately on the same port (the IPv6 socket is ipv6Only)',
    async () => {
      const port = await freePort('0.0.0.0');
      const { sink, listener } = await start({ addresses: ['0.0.0.0', '::'], ports: [port] });
      expect(listener.addresses()).toEqual([
        { address: '0.0.0.0', port, proto: 'tcp' },
        { address: '::', port, proto: 'tcp' },
      ]);
      const a = await tcpClient('127.0.0.1', port, { end: true }).result;
      const b = await tcpClient('::1', port, { end: true }).result;
      await sink.untilEvents(2);
      expect(sink.events.map((e) => [e.src, e.sport, e.dst, e.port])).toEqual([
        ['127.0.0.1', a.localPort, '127.0.0.1', port],
        ['::1', b.localPort, '::1', port],
      ]);
    },
  );

  it('rate-limits per source: over the bucket a connection is destroyed and counted, others unaffected', async () => {
    const { sink, port } = await start({ per_source: { burst: 2, per_minute: 0 } });
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await tcpClient('127.0.0.1', port, { end: true }).result);
    const other = lo2
      ? await tcpClient('127.0.0.1', port, { end: true, localAddress: '127.0.0.2' }).result
      : null;
    await sink.until(() => sink.events.length + sink.refusals.length === (other ? 5 : 4));
    expect(results.every((r) => r.received === 0) && (other?.received ?? 0) === 0).toBe(true);
    expect(sink.events.map((e) => [e.src, e.sport])).toEqual([
      ['127.0.0.1', results[0]?.localPort],
      ['127.0.0.1', results[1]?.localPort],
      ...(other ? [['127.0.0.2', other.localPort]] : []),
    ]);
    expect(sink.refusals).toEqual(['rate_limited', 'rate_limited']);
  });

  it('refuses connections beyond max_concurrent; close() records the open ones and closes them', async () => {
    const { sink, port, listener } = await start({ max_concurrent: 2, idle_timeout_ms: 30_000 });
    const open = [tcpClient('127.0.0.1', port), tcpClient('127.0.0.1', port, { send: Buffer.from('hi') })];
    await Promise.all(open.map((c) => c.connected));
    await waitUntil(() => listener.openConnections === 2);
    const third = await tcpClient('127.0.0.1', port, { send: Buffer.from('x') }).result;
    await sink.until(() => sink.refusals.length === 1);
    expect(third.received).toBe(0);
    expect(sink.refusals).toEqual(['too_many_connections']);
    expect(sink.events).toEqual([]);

    await listener.close();
    expect(listener.openConnections).toBe(0);
    const ends = await Promise.all(open.map((c) => c.result));
    expect(ends.every((r) => r.received === 0)).toBe(true);
    expect(sink.events.map((e) => e.payload?.bytes ?? 0).sort()).toEqual([0, 2]);
  });

  it('a port in use: start() rejects with SW_CONFIG_INVALID naming address and port, and releases what it bound', async () => {
    const occupier = net.createServer();
    await new Promise<void>((resolve) => occupier.listen({ host: '127.0.0.1', port: 0 }, resolve));
    const port = (occupier.address() as net.AddressInfo).port;
    // A second address bound before the failing one, to check that a failed start releases it.
    const second = lo2 ? '127.0.0.2' : v6 ? '::1' : undefined;
    try {
      const sink = new RecordingSink();
      const listener = tcpListenerInput.createListener(
        {
          timezone: 'utc',
          options: { addresses: [...(second ? [second] : []), '127.0.0.1'], ports: [port] },
        },
        sink,
        { clock: new ManualClock(T0), logger: silentLogger },
      );
      const err: unknown = await listener.start().then(
        () => null,
        (e: unknown) => e,
      );
      expect(isStormwatchError(err) && err.code).toBe('SW_CONFIG_INVALID');
      expect((err as Error).message).toContain(
        `tcp-listener: cannot bind 127.0.0.1 port ${port}: EADDRINUSE`,
      );
      expect(listener.addresses()).toEqual([]);
      if (second !== undefined) {
        const again = net.createServer();
        await new Promise<void>((resolve, reject) => {
          again.once('error', reject);
          again.listen({ host: second, port, exclusive: true }, resolve);
        });
        await new Promise<void>((resolve) => again.close(() => resolve()));
      }
      await listener.close(); // harmless after a failed start
    } finally {
      await new Promise<void>((resolve) => occupier.close(() => resolve()));
    }
  });

  it('close() leaves nothing open: no server, no socket, no later event', async () => {
    // libuv releases a closed handle at the end of a loop turn, so counts converge rather than drop at once
    // (handles of earlier tests may still be going too: the count after close must come down to `before`).
    const servers = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;
    const before = servers();
    const addresses = v6 ? ['127.0.0.1', '::1'] : ['127.0.0.1'];
    const { sink, listener } = await start({ addresses, idle_timeout_ms: 30_000 });
    const bound = listener.addresses();
    expect(bound).toHaveLength(addresses.length);
    expect(servers()).toBeGreaterThanOrEqual(addresses.length);
    const c = tcpClient('127.0.0.1', bound[0]!.port);
    await c.connected;
    await waitUntil(() => listener.openConnections === 1);

    await listener.close();
    await waitUntil(() => servers() <= before);
    expect(listener.openConnections).toBe(0);
    expect(listener.addresses()).toEqual([]);
    expect(await c.result).toMatchObject({ received: 0, ending: 'end' });
    expect(sink.events).toHaveLength(1);
    for (const b of bound) {
      const r = await tcpClient(b.address, b.port).result;
      expect(r.ending).toBe('ECONNREFUSED');
    }
    expect(sink.events).toHaveLength(1);
    await listener.close(); // idempotent
  });

  it('start() twice is refused', async () => {
    const { listener } = await start({});
    await expect(listener.start()).rejects.toThrow(/twice/);
  });
});
