/**
 * The udp-listener on real loopback sockets (127.0.0.1, ::1; ephemeral ports). Expected values come from what
 * the client sent (its port, the bytes hashed here), never from what the listener printed.
 */
import { createHash, randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../../core/clock.js';
import { isStormwatchError } from '../../../core/errors.js';
import type { Listener } from '../input.js';
import { UdpListener, udpListenerInput } from './index.js';
import { canBind, RecordingSink, silentLogger, udpClient } from './test-helpers.js';

const T0 = Date.UTC(2024, 4, 1, 12, 0, 0);
const v6 = await canBind('::1');
if (!v6) console.warn('udp-listener tests: ::1 cannot be bound here, IPv6 cases are skipped');
const lo2 = await canBind('127.0.0.2');
if (!lo2) console.warn('udp-listener tests: 127.0.0.2 is not local here, second-source cases are skipped');

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

let listeners: Listener[] = [];
const clients: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all([...listeners.map((l) => l.close()), ...clients.splice(0).map((c) => c.close())]);
  listeners = [];
  vi.restoreAllMocks();
});

async function start(options: Record<string, unknown>) {
  const sink = new RecordingSink();
  const listener = udpListenerInput.createListener(
    { timezone: 'utc', options: { addresses: ['127.0.0.1'], ports: [0], ...options } },
    sink,
    { clock: new ManualClock(T0), logger: silentLogger },
  );
  expect(listener).toBeInstanceOf(UdpListener);
  listeners.push(listener);
  await listener.start();
  const first = listener.addresses()[0];
  if (first === undefined) throw new Error('nothing bound');
  return { listener, sink, port: first.port };
}

async function client(host: string, target = host) {
  const c = await udpClient(host, target);
  clients.push(c);
  return c;
}

/** A UDP port free right now on `host`. */
async function freeUdpPort(host: string): Promise<number> {
  const s = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  await new Promise<void>((resolve) => s.bind({ address: host, port: 0 }, resolve));
  const port = s.address().port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

describe('udp-listener', () => {
  it('records a datagram with its payload sample and never replies', async () => {
    const sends = vi.spyOn(dgram.Socket.prototype, 'send');
    const { sink, port, listener } = await start({});
    expect(listener.addresses()).toEqual([{ address: '127.0.0.1', port, proto: 'udp' }]);
    const c = await client('127.0.0.1');
    const msg = Buffer.from(
      '\x00\x01\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07version\x04bind\x00\x00\x10\x00\x03',
      'latin1',
    );
    await c.send(port, msg);
    await sink.untilEvents(1);
    expect(sink.events).toEqual([
      {
        ts: T0,
        proto: 'udp',
        port,
        src: '127.0.0.1',
        sport: c.socket.address().port,
        dst: '127.0.0.1',
        payload: { sha256: sha(msg), head: msg.toString('base64'), bytes: msg.length },
      },
    ]);
    // A reply to the first datagram would be queued before the second one's event: none came.
    await c.send(port, Buffer.from('again'));
    await sink.untilEvents(2);
    expect(c.received).toEqual([]);
    expect(sends.mock.contexts.filter((s) => s !== c.socket)).toEqual([]);
  });

  it('an empty datagram is an event without payload', async () => {
    const { sink, port } = await start({});
    const c = await client('127.0.0.1');
    await c.send(port, Buffer.alloc(0));
    await sink.untilEvents(1);
    expect(sink.events[0]).toMatchObject({
      proto: 'udp',
      port,
      src: '127.0.0.1',
      sport: c.socket.address().port,
    });
    expect(sink.events[0]).not.toHaveProperty('payload');
  });

  it('samples at most payload_bytes of a datagram', async () => {
    const { sink, port } = await start({ payload_bytes: 100 });
    const c = await client('127.0.0.1');
    const data = randomBytes(1200);
    await c.send(port, data);
    await sink.untilEvents(1);
    expect(sink.events[0]?.payload).toEqual({
      sha256: sha(data.subarray(0, 100)),
      head: data.subarray(0, 64).toString('base64'),
      bytes: 100,
    });
  });

  it('a socket bound to 0.0.0.0 cannot tell the destination address: no dst', async () => {
    const { sink, port } = await start({ addresses: ['0.0.0.0'] });
    const c = await client('127.0.0.1');
    await c.send(port, Buffer.from('x'));
    await sink.untilEvents(1);
    expect(sink.events[0]).toMatchObject({ src: '127.0.0.1', port });
    expect(sink.events[0]).not.toHaveProperty('dst');
  });

  it.skipIf(!v6)('IPv6: a datagram to ::1 has canonical IPv6 source and destination', async () => {
    const { sink, port } = await start({ addresses: ['0::1'] });
    const c = await client('::1');
    await c.send(port, Buffer.from('ping'));
    await sink.untilEvents(1);
    expect(sink.events[0]).toMatchObject({
      proto: 'udp',
      port,
      src: '::1',
      sport: c.socket.address().port,
      dst: '::1',
      payload: { bytes: 4 },
    });
  });

  it.skipIf(!v6)(
    'binds IPv4 and IPv6 separately on the same port (the IPv6 socket is ipv6Only)',
    async () => {
      const port = await freeUdpPort('0.0.0.0');
      const { sink, listener } = await start({ addresses: ['0.0.0.0', '::'], ports: [port] });
      expect(listener.addresses()).toEqual([
        { address: '0.0.0.0', port, proto: 'udp' },
        { address: '::', port, proto: 'udp' },
      ]);
      const a = await client('127.0.0.1');
      const b = await client('::1');
      await a.send(port, Buffer.from('4'));
      await sink.untilEvents(1);
      await b.send(port, Buffer.from('6'));
      await sink.untilEvents(2);
      expect(sink.events.map((e) => [e.src, e.sport])).toEqual([
        ['127.0.0.1', a.socket.address().port],
        ['::1', b.socket.address().port],
      ]);
    },
  );

  it('rate-limits per source: datagrams over the bucket are dropped and counted', async () => {
    const { sink, port } = await start({ per_source: { burst: 2, per_minute: 0 } });
    const c = await client('127.0.0.1');
    for (let i = 0; i < 5; i++) await c.send(port, Buffer.from([i]));
    if (lo2) await (await client('127.0.0.2', '127.0.0.1')).send(port, Buffer.from('o'));
    await sink.until(() => sink.events.length + sink.refusals.length === (lo2 ? 6 : 5));
    expect(c.received).toEqual([]);
    expect(sink.events.map((e) => [e.src, e.payload?.head])).toEqual([
      ['127.0.0.1', 'AA=='],
      ['127.0.0.1', 'AQ=='],
      ...(lo2 ? [['127.0.0.2', 'bw==']] : []),
    ]);
    expect(sink.refusals).toEqual(['rate_limited', 'rate_limited', 'rate_limited']);
  });

  it('a port in use: start() rejects with SW_CONFIG_INVALID naming address and port', async () => {
    const occupier = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => occupier.bind({ address: '127.0.0.1', port: 0 }, resolve));
    const port = occupier.address().port;
    // A second address bound before the failing one, to check that a failed start releases it.
    const second = lo2 ? '127.0.0.2' : v6 ? '::1' : undefined;
    try {
      const listener = udpListenerInput.createListener(
        {
          timezone: 'utc',
          options: { addresses: [...(second ? [second] : []), '127.0.0.1'], ports: [port] },
        },
        new RecordingSink(),
        { clock: new ManualClock(T0), logger: silentLogger },
      );
      const err: unknown = await listener.start().then(
        () => null,
        (e: unknown) => e,
      );
      expect(isStormwatchError(err) && err.code).toBe('SW_CONFIG_INVALID');
      expect((err as Error).message).toContain(
        `udp-listener: cannot bind 127.0.0.1 port ${port}: EADDRINUSE`,
      );
      expect(listener.addresses()).toEqual([]);
      if (second !== undefined) {
        const again = dgram.createSocket(second.includes(':') ? 'udp6' : 'udp4');
        await new Promise<void>((resolve, reject) => {
          again.once('error', reject);
          again.bind({ address: second, port, exclusive: true }, resolve);
        });
        await new Promise<void>((resolve) => again.close(() => resolve()));
      }
    } finally {
      await new Promise<void>((resolve) => occupier.close(() => resolve()));
    }
  });

  it('close() releases every socket and emits nothing more', async () => {
    const addresses = v6 ? ['127.0.0.1', '::1'] : ['127.0.0.1'];
    const { sink, listener } = await start({ addresses });
    const bound = listener.addresses();
    expect(bound).toHaveLength(addresses.length);
    await listener.close();
    expect(listener.addresses()).toEqual([]);
    for (const b of bound) {
      // The port can be bound again at once: the listener's socket is gone.
      const s = dgram.createSocket(b.address.includes(':') ? 'udp6' : 'udp4');
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.bind({ address: b.address, port: b.port, exclusive: true }, resolve);
      });
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
    expect(sink.events).toEqual([]);
    await listener.close(); // idempotent
  });
});
