/**
 * The fuzz rule: well over a million random and mutated bytes (fixture files and hand-built pcapng/pcap with
 * bytes flipped, cut, spliced, length fields overwritten) never make the decoder throw or hang, never give an
 * event that fails the submission schema, only give reasons from the closed sets, and give the same results
 * whether fed whole or in random chunks. Seeded, so a failure replays.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../core/clock.js';
import { seededRandom } from '../../../core/random.js';
import { eventSchema } from '../../../protocol/batch.js';
import type { ParseResult } from '../input.js';
import { LINKTYPE, MALFORMED_REASONS, PacketReader, PcapDecoder } from './index.js';
import {
  EXT_OPTIONS_8,
  epb,
  ether,
  extFragment,
  icmp,
  idb,
  ipv4,
  ipv6,
  pb,
  pcapFile,
  pflog,
  shb,
  sll,
  sll2,
  spb,
  TCP,
  tcp,
  udp,
} from './test-helpers.js';

const dir = fileURLToPath(new URL('../../../../../shared/fixtures/real/pcap/', import.meta.url));
const fixtures = existsSync(dir) ? readdirSync(dir).map((f) => readFileSync(dir + f)) : [];
if (fixtures.length === 0) console.warn(`pcap fuzz: ${dir} is absent, fuzzing hand-built captures only`);

const REASONS = new Set<string>([
  'not_firewall',
  'not_attempt',
  'outbound',
  'loopback',
  'header',
  'empty',
  ...MALFORMED_REASONS,
]);

const PACKETS: number[][] = [
  ipv4('198.51.100.7', '192.0.2.1', 6, tcp(40000, 22, TCP.S)),
  ipv4('198.51.100.7', '192.0.2.1', 17, udp(53, 53, [1, 2, 3]), { options: [1, 1, 1, 0] }),
  ipv4('198.51.100.7', '192.0.2.1', 1, icmp(8)),
  ipv4('198.51.100.7', '192.0.2.1', 6, [1, 2, 3, 4, 5, 6, 7, 8], { fragOffset: 3 }),
  ipv6('2001:db8::7', '2001:db8::1', 58, icmp(128)),
  ipv6('2001:db8::7', '2001:db8::1', 6, tcp(1, 443, TCP.F | TCP.P | TCP.U), [
    [0, EXT_OPTIONS_8],
    [44, extFragment(0, true)],
  ]),
];

/** Hand-built captures that exercise every framing path and link type. */
function handBuilt(): Buffer[] {
  const eth = PACKETS.map((p) => ether(p[0]! >> 4 === 4 ? 0x0800 : 0x86dd, p, [0x8100]));
  const records = (frames: number[][]): Array<{ sec: number; frac: number; data: number[] }> =>
    frames.map((data, i) => ({ sec: 1_700_000_000 + i, frac: i * 1000, data }));
  const ng = (le: boolean): number[] => [
    ...shb(le),
    ...idb(le, LINKTYPE.ETHERNET, { tsresol: 9 }),
    ...idb(le, LINKTYPE.LINUX_SLL2, { tsresol: 0x80 | 20 }),
    ...idb(le, LINKTYPE.RAW, { tsoffset: 1000n }),
    ...eth.flatMap((f, i) => epb(le, 0, BigInt(i) * 1_000_000_007n, f)),
    ...PACKETS.flatMap((p, i) =>
      epb(le, 1, BigInt(i) << 20n, sll2(0, p[0]! >> 4 === 4 ? 0x0800 : 0x86dd, p)),
    ),
    ...PACKETS.flatMap((p) => pb(le, 2, 77n, p)),
    ...spb(le, eth[0]!),
  ];
  return [
    Buffer.from([...ng(true), ...ng(false)]),
    pcapFile({ le: false, nano: true, linkType: LINKTYPE.ETHERNET, records: records(eth) }),
    pcapFile({ modified: true, linkType: LINKTYPE.RAW, records: records(PACKETS) }),
    pcapFile({
      linkType: LINKTYPE.LINUX_SLL,
      records: records(PACKETS.map((p) => sll(0, p[0]! >> 4 === 4 ? 0x0800 : 0x86dd, p))),
    }),
    pcapFile({
      linkType: LINKTYPE.PFLOG,
      records: records(PACKETS.map((p) => pflog(p[0]! >> 4 === 4 ? 2 : 24, 1, p))),
    }),
    pcapFile({
      linkType: LINKTYPE.NULL,
      records: records(PACKETS.map((p) => [p[0]! >> 4 === 4 ? 2 : 30, 0, 0, 0, ...p])),
    }),
  ];
}

interface Outcome {
  results: Array<{ r: ParseResult; end: number }>;
  consumed: number;
  fatal?: string;
}

/** Feeds like the packet runner; `chunk` 0 means one feed of the whole input. */
function run(input: Buffer, chunk: (() => number) | null): Outcome {
  // A fixed clock: Simple Packet Blocks take its time, and both runs must agree.
  const dec = new PcapDecoder({
    localNetworks: ['203.0.113.0/24'],
    clock: new ManualClock(1_700_000_000_000),
  });
  const results: Outcome['results'] = [];
  let pending = Buffer.alloc(0);
  let base = 0;
  let at = 0;
  let feeds = 0;
  while (at < input.length || (chunk === null && feeds === 0)) {
    const n = chunk === null ? input.length : chunk();
    pending = Buffer.concat([pending, input.subarray(at, at + n)]);
    at += n;
    const b = base;
    let last = -1;
    const r = dec.feed(pending, (res, end) => {
      if (!(end > last && end <= pending.length))
        throw new Error(`record end ${end} after ${last} of ${pending.length}`);
      last = end;
      results.push({ r: res, end: b + end });
    });
    feeds++;
    if (feeds > input.length + 2) throw new Error('the decoder does not make progress');
    if (r.consumed < 0 || r.consumed > pending.length)
      throw new Error(`consumed ${r.consumed} of ${pending.length}`);
    if (r.fatal !== undefined) return { results, consumed: base + r.consumed, fatal: r.fatal };
    base += r.consumed;
    pending = pending.subarray(r.consumed);
  }
  return { results, consumed: base };
}

function checkResult(r: ParseResult): void {
  if (r.kind === 'event') {
    const parsed = eventSchema.safeParse(JSON.parse(JSON.stringify(r.event)));
    if (!parsed.success) throw new Error(`invalid event ${JSON.stringify(r.event)}: ${parsed.error.message}`);
    if ((r.event.proto === 'tcp') !== (r.event.flags !== undefined))
      throw new Error('flags on a non-TCP event');
  } else if (!REASONS.has(r.reason)) {
    throw new Error(`reason outside the closed set: ${r.reason}`);
  }
}

describe('pcap decoder fuzzing', () => {
  it('over a million random and mutated bytes in 4000+ inputs: no throw, no hang, valid events, chunking-invariant', () => {
    const rnd = seededRandom(20240601);
    const sources = [...fixtures, ...handBuilt()];
    // Mostly a prefix of a source (up to 8 KB), so that there are thousands of different inputs.
    const pick = (): Buffer => {
      const src = sources[rnd.int(sources.length)]!;
      return rnd.int(10) === 0 ? src : src.subarray(0, 32 + rnd.int(8000));
    };
    const mutate = (): Buffer => {
      const src = pick();
      switch (rnd.int(6)) {
        case 0: {
          const b = Buffer.from(src);
          for (let k = 1 + rnd.int(20); k > 0; k--)
            b[24 + rnd.int(Math.max(1, b.length - 24))] = rnd.int(256);
          return b;
        }
        case 1:
          return src.subarray(0, rnd.int(src.length + 1));
        case 2: {
          const other = pick();
          return Buffer.concat([src.subarray(0, rnd.int(src.length)), other.subarray(rnd.int(other.length))]);
        }
        case 3: {
          const b = Buffer.from(src);
          const at = 4 * rnd.int(Math.floor(b.length / 4));
          const values = [0, 1, 7, 12, 0xffffffff, 0x7fffffff, 0x01000000, 0x00040001, rnd.int(2 ** 32)];
          if (at + 4 <= b.length) b.writeUInt32LE(values[rnd.int(values.length)]!, at);
          return b;
        }
        case 4: {
          // Random bytes behind a valid file start, so the framing gets past the magic.
          const head = src.subarray(0, src.readUInt32LE(0) === 0x0a0d0d0a ? 28 + rnd.int(60) : 24);
          return Buffer.concat([
            head,
            Buffer.from(Array.from({ length: rnd.int(3000) }, () => rnd.int(256))),
          ]);
        }
        default:
          return Buffer.from(Array.from({ length: rnd.int(2000) }, () => rnd.int(256)));
      }
    };
    let bytes = 0;
    let inputs = 0;
    let events = 0;
    let fatals = 0;
    const started = Date.now();
    while (bytes < 2_000_000 || inputs < 4000) {
      const input = mutate();
      bytes += input.length;
      inputs++;
      const whole = run(input, null);
      for (const { r } of whole.results) checkResult(r);
      events += whole.results.filter(({ r }) => r.kind === 'event').length;
      if (whole.fatal !== undefined) {
        fatals++;
        expect(whole.fatal).toMatch(/offset \d+/);
      }
      if (inputs % 4 === 0) {
        const max = 1 + rnd.int(300);
        const chunked = run(input, () => 1 + rnd.int(max));
        expect(chunked).toEqual(whole);
      }
    }
    expect(Date.now() - started).toBeLessThan(60_000);
    console.log(`pcap fuzz: ${inputs} inputs, ${bytes} bytes, ${events} events, ${fatals} fatal`);
    // The mix reaches the packet decoder, not only the magic check.
    expect(events).toBeGreaterThan(10_000);
    expect(fatals).toBeGreaterThan(100);
    expect(fatals).toBeLessThan(inputs);
  }, 120_000);

  it('random frames on every link type: no throw, valid events', () => {
    const rnd = seededRandom(99);
    const reader = new PacketReader();
    const links = [...Object.values(LINKTYPE), 12, 105, 65535];
    let events = 0;
    for (let i = 0; i < 200_000; i++) {
      const len = rnd.int(120);
      const b = new Uint8Array(len);
      for (let k = 0; k < len; k++) b[k] = rnd.int(256);
      // Bias towards plausible headers so IP and transport code run too.
      if (len > 0 && rnd.int(2) === 0) b[0] = rnd.int(2) === 0 ? 0x45 : 0x60;
      const r = reader.read(b, 0, len, links[rnd.int(links.length)]!, rnd.int(2 ** 40));
      checkResult(r);
      if (r.kind === 'event') events++;
    }
    expect(events).toBeGreaterThan(3000);
  });
});
