/**
 * checkEvent against the reference, eventSchema (zod): the same problems (index, field, reason, order) on
 * generated events, plus one test per rule, including the one deliberate addition (canonical IP text).
 */
import { describe, expect, it } from 'vitest';
import { eventSchema } from '../protocol/batch.js';
import { checkEvent } from './check-event.js';
import { canonicalIpText, isCanonicalIp } from './ip-text.js';
import { MAX_PROBLEMS } from './problems.js';
import type { BatchProblem } from './problems.js';

const good = {
  ts: 1_714_564_800_000,
  proto: 'tcp',
  port: 22,
  src: '198.51.100.7',
  sport: 40000,
  dst: '203.0.113.0',
  flags: 'S',
};

function ours(e: unknown, index = 0): BatchProblem[] | 'ok' {
  const out: BatchProblem[] = [];
  const r = checkEvent(e, index, out);
  if (r !== null) {
    expect(out).toEqual([]);
    expect(r).toBe(e); // no copy
    return 'ok';
  }
  return out;
}

/** What validateBatch made of zod's issues before: the reference. */
function zods(e: unknown, index = 0): BatchProblem[] | 'ok' {
  const r = eventSchema.safeParse(e);
  if (r.success) return 'ok';
  return r.error.issues
    .map((i) => {
      const path = i.path.map(String).join('.');
      const field =
        i.code === 'unrecognized_keys'
          ? [path, i.keys.join(',')].filter(Boolean).join('.')
          : path || '(event)';
      return { index, field, reason: i.message };
    })
    .slice(0, MAX_PROBLEMS);
}

function prng(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return ((z ^ (z >>> 16)) >>> 0) / 4294967296;
  };
}

// Values zod and checkEvent must judge alike. IP-like strings are canonical or fail eventSchema's pattern: the
// strings the pattern accepts but that are not canonical are the deliberate difference, tested on their own.
const NUMBERS = [
  0,
  -0,
  1,
  22,
  65535,
  65536,
  -1,
  1.5,
  -2.5,
  1e300,
  -1e300,
  2 ** 53,
  -(2 ** 53),
  1e15,
  Infinity,
  -Infinity,
  NaN,
];
const OTHERS = [null, true, false, '', '22', 'tcp', [], [1], {}, { a: 1 }];
const IPS = [
  '198.51.100.7',
  '0.0.0.0',
  '::',
  '::1',
  '2001:db8::1',
  '::ffff:192.0.2.1',
  'fe80::1:2',
  'evil<script>',
  'x'.repeat(65),
  'g::1',
  '1.2.3.4 ',
  '',
];
const FLAGS = ['', 'S', 'SA', 'FSRPAUEC', 'FSRPAUECS', 's', 'SX', 'x'.repeat(9), 'Ä'];
const PROTOS = ['tcp', 'udp', 'icmp', 'icmp6', 'other', 'TCP', 'sctp', ''];
const SHA = ['a'.repeat(64), 'A'.repeat(64), 'a'.repeat(63), 'g'.repeat(64)];
const HEADS = ['', 'AAAA', 'AA==', 'A===', '!', 'A'.repeat(88), 'A'.repeat(89), 'A'.repeat(89) + '!'];
const KEYS = ['extra', '__proto__', 'a"b', 'é', '0', 'Ts', 'payload2'];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)] as T;
}

function anyValue(r: () => number): unknown {
  const k = r();
  if (k < 0.4) return pick(r, NUMBERS);
  if (k < 0.7) return pick(r, OTHERS);
  return pick(r, [...IPS, ...FLAGS, ...PROTOS]);
}

function generated(r: () => number): unknown {
  if (r() < 0.03) return anyValue(r);
  // Built as JSON text and parsed, like a real body (so "__proto__" is an own key, as JSON.parse makes it).
  const fields: Array<[string, unknown]> = [];
  const maybe = (name: string, value: () => unknown, pPresent: number, pOdd: number): void => {
    if (r() >= pPresent) return;
    fields.push([name, r() < pOdd ? anyValue(r) : value()]);
  };
  maybe('ts', () => pick(r, [0, 1_714_564_800_000, 2 ** 53 - 1]), 0.97, 0.05);
  maybe('proto', () => pick(r, PROTOS.slice(0, r() < 0.8 ? 5 : 8)), 0.97, 0.05);
  const port = (): unknown => (r() < 0.8 ? pick(r, [0, 22, 65535]) : pick(r, NUMBERS));
  const ip = (): unknown => (r() < 0.8 ? pick(r, IPS.slice(0, 7)) : pick(r, IPS));
  maybe('port', port, 0.97, 0.05);
  maybe('src', ip, 0.97, 0.05);
  maybe('sport', port, 0.5, 0.05);
  maybe('dst', ip, 0.5, 0.05);
  maybe('flags', () => (r() < 0.8 ? pick(r, FLAGS.slice(0, 4)) : pick(r, FLAGS)), 0.4, 0.05);
  maybe('handshake', () => pick(r, [true, false]), 0.2, 0.3);
  maybe(
    'payload',
    () => {
      const p: Record<string, unknown> = {};
      if (r() < 0.9) p.sha256 = r() < 0.8 ? pick(r, SHA) : anyValue(r);
      if (r() < 0.9) p.head = r() < 0.8 ? pick(r, HEADS) : anyValue(r);
      if (r() < 0.9) p.bytes = r() < 0.8 ? pick(r, [0, 64, 4096, -1, 1.5]) : anyValue(r);
      if (r() < 0.1) p[pick(r, KEYS)] = 1;
      return p;
    },
    0.15,
    0.1,
  );
  if (r() < 0.1) fields.push([pick(r, KEYS), anyValue(r)]);
  if (r() < 0.03) fields.push([pick(r, KEYS), anyValue(r)]);
  // Shuffle: key order must not matter for the problems' order.
  for (let i = fields.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [fields[i], fields[j]] = [fields[j] as [string, unknown], fields[i] as [string, unknown]];
  }
  // JSON cannot carry non-finite numbers: they stand for what a number too large for a double parses to.
  const json = `{${fields
    .map(
      ([k, v]) =>
        `${JSON.stringify(k)}:${typeof v === 'number' && !Number.isFinite(v) ? (Number.isNaN(v) ? 'null' : v > 0 ? '1e999' : '-1e999') : JSON.stringify(v)}`,
    )
    .join(',')}}`;
  return JSON.parse(json);
}

const IP_TEXT = /^[0-9A-Fa-f:.]{2,45}$/;

/** src or dst passes eventSchema's pattern without being canonical IP text: refused by checkEvent only. */
function notCanonicalButLikeIp(e: unknown): boolean {
  const o = e as { src?: unknown; dst?: unknown } | null;
  if (typeof o !== 'object' || o === null) return false;
  return [o.src, o.dst].some((v) => typeof v === 'string' && IP_TEXT.test(v) && !isCanonicalIp(v));
}

describe('checkEvent and eventSchema agree', () => {
  it('on 50,000 generated events (valid and invalid)', () => {
    const r = prng(4);
    let valid = 0;
    let skipped = 0;
    for (let n = 0; n < 50_000; n++) {
      const e = generated(r);
      if (notCanonicalButLikeIp(e)) {
        skipped++; // the deliberate difference, tested on its own below
        continue;
      }
      const expected = zods(e, n);
      const got = ours(e, n);
      if (JSON.stringify(got) !== JSON.stringify(expected)) {
        expect({ event: e, got }).toEqual({ event: e, got: expected });
      }
      if (got === 'ok') valid++;
    }
    // The generator must exercise both sides.
    expect(skipped).toBeLessThan(5_000);
    expect(valid).toBeGreaterThan(5_000);
    expect(valid).toBeLessThan(45_000);
  });

  it('on non-finite numbers and non-objects', () => {
    for (const e of [
      { ...good, ts: Infinity },
      { ...good, port: -Infinity },
      { ...good, sport: NaN },
      { ...good, src: Infinity },
      null,
      [],
      'text',
      7,
      true,
    ]) {
      expect(ours(e)).toEqual(zods(e));
    }
  });
});

describe('checkEvent rules', () => {
  const one = (patch: Record<string, unknown>): unknown => ours({ ...good, ...patch });

  it('accepts a typical event and every optional field', () => {
    expect(ours(good)).toBe('ok');
    expect(ours({ ts: 0, proto: 'icmp6', port: 0, src: '::' })).toBe('ok');
    expect(
      one({
        handshake: true,
        payload: { sha256: 'ab'.repeat(32), head: 'R0VUIC8gSFRUUC8xLjE=', bytes: 18 },
      }),
    ).toBe('ok');
  });

  it('checks types', () => {
    expect(one({ ts: '1' })).toEqual([
      { index: 0, field: 'ts', reason: 'Invalid input: expected number, received string' },
    ]);
    expect(one({ src: 7 })).toEqual([
      { index: 0, field: 'src', reason: 'Invalid input: expected string, received number' },
    ]);
    expect(one({ handshake: 'yes' })).toEqual([
      { index: 0, field: 'handshake', reason: 'Invalid input: expected boolean, received string' },
    ]);
    expect(one({ payload: [] })).toEqual([
      { index: 0, field: 'payload', reason: 'Invalid input: expected object, received array' },
    ]);
    expect(ours('text')).toEqual([
      { index: 0, field: '(event)', reason: 'Invalid input: expected object, received string' },
    ]);
  });

  it('checks ranges and whole numbers', () => {
    expect(one({ port: 65536 })).toEqual([
      { index: 0, field: 'port', reason: 'Too big: expected number to be <=65535' },
    ]);
    expect(one({ sport: -1 })).toEqual([
      { index: 0, field: 'sport', reason: 'Too small: expected number to be >=0' },
    ]);
    expect(one({ ts: 1.5 })).toEqual([
      { index: 0, field: 'ts', reason: 'Invalid input: expected int, received number' },
    ]);
    expect(one({ ts: 2 ** 53 })).toEqual([
      { index: 0, field: 'ts', reason: 'Too big: expected int to be <=9007199254740991' },
    ]);
    expect(one({ proto: 'TCP' })).toEqual([
      {
        index: 0,
        field: 'proto',
        reason: 'Invalid option: expected one of "tcp"|"udp"|"icmp"|"icmp6"|"other"',
      },
    ]);
  });

  it('requires canonical IP text in src and dst', () => {
    expect(one({ src: '2001:DB8::1' })).toEqual([
      { index: 0, field: 'src', reason: 'not canonical IP text (canonical: 2001:db8::1)' },
    ]);
    expect(one({ dst: '010.1.2.3' })).toEqual([
      { index: 0, field: 'dst', reason: 'not canonical IP text (canonical: 10.1.2.3)' },
    ]);
    expect(one({ src: '999.1.1.1' })).toEqual([{ index: 0, field: 'src', reason: 'not an IP address' }]);
    expect(one({ src: '1.2.3' })).toEqual([{ index: 0, field: 'src', reason: 'not an IP address' }]);
    expect(one({ src: 'evil<script>' })).toEqual([{ index: 0, field: 'src', reason: 'not an IP address' }]);
    expect(one({ src: '::ffff:c000:201' })).toEqual([
      { index: 0, field: 'src', reason: 'not canonical IP text (canonical: ::ffff:192.0.2.1)' },
    ]);
  });

  it('refuses unknown fields, in the event and in the payload', () => {
    expect(one({ admin: true, z: 1 })).toEqual([
      { index: 0, field: 'admin,z', reason: 'Unrecognized keys: "admin", "z"' },
    ]);
    expect(ours(JSON.parse('{"ts":1,"proto":"tcp","port":1,"src":"1.2.3.4","__proto__":{"x":1}}'))).toEqual([
      { index: 0, field: '__proto__', reason: 'Unrecognized key: "__proto__"' },
    ]);
    expect(one({ payload: { sha256: 'a'.repeat(64), head: '', bytes: 0, more: 1 } })).toEqual([
      { index: 0, field: 'payload.more', reason: 'Unrecognized key: "more"' },
    ]);
  });

  it('bounds every string field', () => {
    expect(one({ src: '1'.repeat(65) })).toEqual([
      { index: 0, field: 'src', reason: 'Too big: expected string to have <=64 characters' },
      { index: 0, field: 'src', reason: 'not an IP address' },
    ]);
    expect(one({ dst: `${'1'.repeat(46)}` })).toEqual([
      { index: 0, field: 'dst', reason: 'not an IP address' },
    ]);
    expect(one({ flags: 'SSSSSSSSS' })).toEqual([
      { index: 0, field: 'flags', reason: 'Too big: expected string to have <=8 characters' },
    ]);
    expect(one({ payload: { sha256: 'a'.repeat(65), head: 'A'.repeat(92), bytes: 1 } })).toEqual([
      { index: 0, field: 'payload.sha256', reason: 'not a lower-case hex SHA-256' },
      { index: 0, field: 'payload.head', reason: 'Too big: expected string to have <=88 characters' },
    ]);
  });

  it('stops recording at MAX_PROBLEMS', () => {
    const out: BatchProblem[] = [];
    const bad = { ts: 'x', proto: 1, port: 'x', src: 1, sport: 'x', dst: 1, flags: 1, handshake: 1, a: 1 };
    expect(checkEvent(bad, 0, out)).toBeNull();
    expect(checkEvent(bad, 1, out)).toBeNull();
    expect(out).toHaveLength(MAX_PROBLEMS);
  });
});

describe('canonical IP text', () => {
  it('knows one text per address', () => {
    const cases: Array<[string, string | null]> = [
      ['192.0.2.1', '192.0.2.1'],
      ['192.000.2.1', '192.0.2.1'],
      ['256.0.0.1', null],
      ['1.2.3.4.5', null],
      ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
      ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
      ['2001:db8::0:1', '2001:db8::1'],
      ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
      ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
      ['::192.0.2.1', '::c000:201'],
      ['1::2::3', null],
      ['fe80::1%eth0', null],
      [':::', null],
    ];
    for (const [text, canonical] of cases) {
      expect(canonicalIpText(text), text).toBe(canonical);
      expect(isCanonicalIp(text), text).toBe(canonical === text);
    }
  });
});
