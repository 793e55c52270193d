import { describe, expect, it } from 'vitest';
import type { AttackEvent } from '../../core/event.js';
import { PROTOCOLS } from '../../core/event.js';
import { seededRandom } from '../../core/random.js';
import { EventJsonWriter } from './event-json.js';

/** An event with its members in AttackEvent's order, so JSON.stringify writes them in the writer's order. */
function ordered(e: AttackEvent): AttackEvent {
  return {
    ts: e.ts,
    proto: e.proto,
    port: e.port,
    src: e.src,
    sport: e.sport,
    dst: e.dst,
    flags: e.flags,
    handshake: e.handshake,
    payload: e.payload,
  };
}

function written(events: AttackEvent[]): string {
  const w = new EventJsonWriter();
  for (const e of events) w.add(e);
  expect(w.count).toBe(events.length);
  return w.take().toString('utf8');
}

const ODD_STRINGS = [
  'a"b',
  'back\\slash',
  'tab\there',
  'nl\n',
  '\u0000',
  'é',
  '日本',
  '\u{1F600}',
  '\ud800',
  '',
];
const ODD_NUMBERS = [
  0,
  9,
  10,
  2147483647,
  2147483648,
  1700000000001,
  1e15 + 7,
  Number.MAX_SAFE_INTEGER,
  1.5,
  -1,
];

describe('EventJsonWriter', () => {
  it('writes exactly what JSON.stringify writes for a batch of ordinary events', () => {
    const events: AttackEvent[] = [
      {
        ts: 1700000000000,
        proto: 'tcp',
        port: 22,
        src: '203.0.113.9',
        sport: 40000,
        dst: '198.51.100.0',
        flags: 'S',
      },
      { ts: 1700000000123, proto: 'udp', port: 53, src: '2001:db8::1', sport: undefined, dst: undefined },
      { ts: 1, proto: 'icmp', port: 8, src: '192.0.2.1', flags: undefined },
      {
        ts: 1700000000999,
        proto: 'tcp',
        port: 445,
        src: '192.0.2.7',
        handshake: true,
        payload: { sha256: 'ab'.repeat(32), head: 'R0VUIC8=', bytes: 5 },
      },
      { ts: 1700000001000, proto: 'tcp', port: 23, src: '192.0.2.8', handshake: false },
    ];
    expect(written(events)).toBe(JSON.stringify(events.map(ordered)));
  });

  it('falls back to JSON.stringify for odd strings and numbers, so the JSON stays valid and equal', () => {
    for (const s of ODD_STRINGS) {
      const e: AttackEvent = { ts: 5, proto: 'tcp', port: 1, src: s, dst: s, flags: s };
      expect(written([e]), JSON.stringify(s)).toBe(JSON.stringify([ordered(e)]));
    }
    for (const n of [...ODD_NUMBERS, NaN, Infinity, -0.5]) {
      const e: AttackEvent = { ts: n, proto: 'udp', port: n, src: 'x', sport: n };
      expect(written([e]), String(n)).toBe(JSON.stringify([ordered(e)]));
    }
    const long = 'x'.repeat(300_000); // longer than the buffer: the fallback grows it
    const e: AttackEvent = { ts: 1, proto: 'tcp', port: 1, src: long, flags: 'S' };
    expect(written([e, e])).toBe(JSON.stringify([ordered(e), ordered(e)]));
  });

  it('gives an empty array when nothing was added, and starts a new array after take()', () => {
    const w = new EventJsonWriter();
    expect(w.take().toString()).toBe('[]');
    w.add({ ts: 1, proto: 'tcp', port: 2, src: 'a' });
    expect(w.bytes).toBe(w.take().length);
    w.add({ ts: 3, proto: 'udp', port: 4, src: 'b' });
    expect(JSON.parse(w.take().toString())).toEqual([{ ts: 3, proto: 'udp', port: 4, src: 'b' }]);
    expect(w.count).toBe(0);
  });

  it('agrees with JSON.stringify on 20,000 random events across buffer growth (seeds 1-4)', () => {
    for (let seed = 1; seed <= 4; seed++) {
      const rand = seededRandom(seed);
      const r = (): number => rand.next();
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
      const events: AttackEvent[] = [];
      for (let i = 0; i < 5000; i++) {
        const odd = r() < 0.05;
        events.push({
          ts: odd ? pick(ODD_NUMBERS) : Math.floor(r() * 2e12),
          proto: pick(PROTOCOLS),
          port: Math.floor(r() * 65536),
          src: odd ? pick(ODD_STRINGS) : `${Math.floor(r() * 256)}.${Math.floor(r() * 256)}.0.1`,
          sport: r() < 0.5 ? Math.floor(r() * 65536) : undefined,
          dst: r() < 0.5 ? '198.51.100.0' : undefined,
          flags: r() < 0.5 ? pick(['S', 'SA', 'FPU', '']) : undefined,
          handshake: r() < 0.3 ? r() < 0.5 : undefined,
        });
      }
      expect(written(events), `seed ${seed}`).toBe(JSON.stringify(events.map(ordered)));
    }
  });
});
