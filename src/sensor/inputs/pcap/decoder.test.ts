/**
 * File framing (decoder.ts) on captures built by hand (layouts in test-helpers.ts): the fixtures are all classic
 * little-endian microsecond pcap (their magics are d4 c3 b2 a1), so big-endian, nanosecond, modified pcap and
 * every pcapng case are written here byte by byte.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../core/clock.js';
import type { ParseResult } from '../input.js';
import { decodePcapBuffer, pcapInput, PcapDecoder } from './index.js';
import { ticksToMs } from './decoder.js';
import {
  block,
  epb,
  ether,
  icmp,
  idb,
  ipv4,
  ipv6,
  option,
  pb,
  pcapFile,
  shb,
  spb,
  TCP,
  tcp,
  udp,
} from './test-helpers.js';

const SYN = ether(0x0800, ipv4('198.51.100.7', '192.0.2.1', 6, tcp(40000, 22, TCP.S)));
const SYN_EVENT = { proto: 'tcp', port: 22, src: '198.51.100.7', sport: 40000, dst: '192.0.2.1', flags: 'S' };
const UDP6 = ether(0x86dd, ipv6('2001:db8::7', '2001:db8::1', 17, udp(5060, 5060)));
// 2024-01-02T03:04:05Z
const SEC = Date.UTC(2024, 0, 2, 3, 4, 5) / 1000;

interface Seen {
  r: ParseResult;
  /** Absolute file offset just past the record. */
  end: number;
}

/** Feeds `buf` the way the packet runner does: chunks appended to the unconsumed rest. */
function feedInChunks(
  dec: PcapDecoder,
  buf: Buffer,
  sizes: (i: number) => number,
): { seen: Seen[]; consumed: number; fatal?: string } {
  const seen: Seen[] = [];
  let pending = Buffer.alloc(0);
  let base = 0;
  let at = 0;
  for (let i = 0; at < buf.length; i++) {
    const n = Math.max(1, sizes(i));
    pending = Buffer.concat([pending, buf.subarray(at, at + n)]);
    at += n;
    const b = base;
    const r = dec.feed(pending, (res, end) => seen.push({ r: res, end: b + end }));
    if (r.fatal !== undefined) return { seen, consumed: base + r.consumed, fatal: r.fatal };
    expect(r.consumed).toBeLessThanOrEqual(pending.length);
    base += r.consumed;
    pending = pending.subarray(r.consumed);
  }
  return { seen, consumed: base };
}

describe('classic pcap', () => {
  it.each([
    ['little-endian µs', true, false, 678_901, 678],
    ['big-endian µs', false, false, 678_901, 678],
    ['little-endian ns', true, true, 678_901_234, 678],
    ['big-endian ns', false, true, 999_999_999, 999],
  ])('%s: time stamps to ms (floor), events decoded', (_n, le, nano, frac, ms) => {
    const file = pcapFile({ le, nano, linkType: 1, records: [{ sec: SEC, frac, data: SYN }] });
    const out = decodePcapBuffer(file);
    expect(out.fatal).toBeUndefined();
    expect(out.consumed).toBe(file.length);
    expect(out.events).toEqual([{ ts: SEC * 1000 + ms, ...SYN_EVENT }]);
  });

  it('big-endian header bytes really are big-endian (a1 b2 c3 d4 first, link type 00 00 00 01)', () => {
    const file = pcapFile({ le: false, linkType: 1, records: [] });
    expect([...file.subarray(0, 4)]).toEqual([0xa1, 0xb2, 0xc3, 0xd4]);
    expect([...file.subarray(20, 24)]).toEqual([0, 0, 0, 1]);
    const ns = pcapFile({ le: true, nano: true, linkType: 1, records: [] });
    expect([...ns.subarray(0, 4)]).toEqual([0x4d, 0x3c, 0xb2, 0xa1]);
  });

  it('the modified (Kuznetzov, a1b2cd34) format has 24-byte record headers', () => {
    const file = pcapFile({
      modified: true,
      linkType: 1,
      records: [
        { sec: SEC, frac: 1000, data: SYN },
        { sec: SEC + 1, frac: 0, data: UDP6 },
      ],
    });
    const out = decodePcapBuffer(file);
    expect(out.events.map((e) => [e.ts, e.proto, e.port])).toEqual([
      [SEC * 1000 + 1, 'tcp', 22],
      [SEC * 1000 + 1000, 'udp', 5060],
    ]);
  });

  it('link type upper bits (FCS information) are ignored; raw IP files work', () => {
    const file = pcapFile({ linkType: 0x10000000 | 1, records: [{ sec: SEC, frac: 0, data: SYN }] });
    expect(decodePcapBuffer(file).events).toHaveLength(1);
    const raw = pcapFile({ linkType: 101, records: [{ sec: SEC, frac: 0, data: SYN.slice(14) }] });
    expect(decodePcapBuffer(raw).events).toEqual([{ ts: SEC * 1000, ...SYN_EVENT }]);
  });

  it('snaplen-truncated records: decoded as far as the bytes go, cut headers are malformed truncated', () => {
    const big = ether(0x0800, ipv4('198.51.100.7', '192.0.2.1', 17, udp(1, 161, Array<number>(400).fill(7))));
    const out = decodePcapBuffer(
      pcapFile({
        linkType: 1,
        snaplen: 64,
        records: [
          { sec: SEC, frac: 0, data: big.slice(0, 64), orig: big.length },
          { sec: SEC, frac: 0, data: big.slice(0, 14 + 20 + 2), orig: big.length },
        ],
      }),
    );
    expect(out.packets).toBe(2);
    expect(out.events).toEqual([
      { ts: SEC * 1000, proto: 'udp', port: 161, src: '198.51.100.7', sport: 1, dst: '192.0.2.1' },
    ]);
    expect(out.malformed).toEqual({ truncated: 1 });
  });

  it('a sub-second field out of range is bad_timestamp', () => {
    const out = decodePcapBuffer(
      pcapFile({
        linkType: 1,
        records: [
          { sec: SEC, frac: 1_000_000, data: SYN },
          { sec: SEC, frac: 999_999, data: SYN },
        ],
      }),
    );
    expect(out.malformed).toEqual({ bad_timestamp: 1 });
    expect(out.events).toHaveLength(1);
    const ns = decodePcapBuffer(
      pcapFile({ nano: true, linkType: 1, records: [{ sec: 0, frac: 1e9, data: SYN }] }),
    );
    expect(ns.malformed).toEqual({ bad_timestamp: 1 });
  });

  it('an empty capture (header only) and a header still arriving consume correctly', () => {
    const file = pcapFile({ linkType: 1, records: [] });
    expect(decodePcapBuffer(file)).toMatchObject({ packets: 0, consumed: 24 });
    const dec = new PcapDecoder();
    expect(dec.feed(file.subarray(0, 3), () => undefined)).toEqual({ consumed: 0 });
    expect(dec.feed(file.subarray(0, 23), () => undefined)).toEqual({ consumed: 0 });
    expect(dec.feed(file, () => undefined)).toEqual({ consumed: 24 });
  });
});

describe('fatal: not a capture, impossible header, corrupt lengths', () => {
  it('bad magic consumes nothing and names what it saw; the decoder stays fatal', () => {
    const dec = new PcapDecoder();
    const r = dec.feed(Buffer.from('Mar 11 20:35:11 gw kernel: hello\n'), () => undefined);
    expect(r.consumed).toBe(0);
    expect(r.fatal).toMatch(/not a pcap or pcapng file: magic 0x4d617220 at offset 0/);
    expect(dec.feed(pcapFile({ linkType: 1, records: [] }), () => undefined)).toEqual({
      consumed: 0,
      fatal: r.fatal,
    });
  });

  it('pcap version other than 2.x is fatal', () => {
    expect(decodePcapBuffer(pcapFile({ major: 1, linkType: 1, records: [] })).fatal).toMatch(/version 1\.4/);
  });

  it('a record length above 256 KiB is fatal naming its offset; earlier records were delivered', () => {
    const file = pcapFile({
      linkType: 1,
      records: [
        { sec: SEC, frac: 0, data: SYN },
        { sec: SEC, frac: 0, data: SYN, incl: 0x7fffffff },
      ],
    });
    const out = decodePcapBuffer(file);
    const second = 24 + 16 + SYN.length;
    expect(out.fatal).toBe(
      `pcap record at offset ${second}: captured length 2147483647 above the limit 262144`,
    );
    expect(out.events).toHaveLength(1);
    expect(out.consumed).toBe(second);
    // The offset is the file's, also when the bad record arrives in a later feed.
    const chunked = feedInChunks(new PcapDecoder(), file, () => 7);
    expect(chunked.fatal).toBe(out.fatal);
  });

  it('a header snaplen above 256 KiB raises the record limit (up to 16 MiB)', () => {
    const data = [...SYN, ...Array<number>(300_000).fill(0)];
    expect(decodePcapBuffer(pcapFile({ linkType: 1, records: [{ sec: 1, frac: 0, data }] })).fatal).toMatch(
      /above the limit 262144/,
    );
    const ok = decodePcapBuffer(
      pcapFile({ linkType: 1, snaplen: 524288, records: [{ sec: 1, frac: 0, data }] }),
    );
    expect(ok.fatal).toBeUndefined();
    expect(ok.events).toHaveLength(1);
  });

  it('pcapng: block lengths below 12, not a multiple of 4, above 16 MiB, or unequal to the trailer', () => {
    const head = [...shb(true), ...idb(true, 1)];
    const cases: Array<[number[], RegExp]> = [
      [block(true, 6, [1, 2, 3, 4], 8), /offset 48: invalid total length 8/],
      [block(true, 6, [1, 2, 3, 4], 18), /offset 48: invalid total length 18/],
      [
        block(true, 6, [1, 2, 3, 4], 0xfffffff0),
        /offset 48: total length 4294967280 above the limit 16777216/,
      ],
      [
        [...block(true, 6, [1, 2, 3, 4]).slice(0, -4), 99, 0, 0, 0],
        /offset 48: trailing length 99 differs from 16/,
      ],
    ];
    expect(shb(true).length + idb(true, 1).length).toBe(48);
    for (const [bad, msg] of cases) {
      const out = decodePcapBuffer(Buffer.from([...head, ...bad, ...Array<number>(32).fill(0)]));
      expect(out.fatal).toMatch(msg);
      expect(out.consumed).toBe(48);
    }
  });

  it('pcapng: a bad byte-order magic, an SHB shorter than 28 bytes, a major version other than 1', () => {
    const badBom = Buffer.from(shb(true));
    badBom.writeUInt32LE(0x12345678, 8);
    expect(decodePcapBuffer(badBom).fatal).toBe(
      'pcapng section header at offset 0: bad byte-order magic 0x12345678',
    );
    const short = block(true, 0x0a0d0d0a, [0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0]);
    expect(decodePcapBuffer(Buffer.from(short)).fatal).toMatch(/offset 0: invalid total length 20/);
    expect(decodePcapBuffer(Buffer.from(shb(false, 2))).fatal).toMatch(/unsupported version 2/);
    // A second section with a bad magic: the offset is where it starts.
    const two = Buffer.from([...shb(true), ...idb(true, 1), ...epb(true, 0, 0n, SYN), ...badBom]);
    expect(decodePcapBuffer(two).fatal).toBe(
      `pcapng section header at offset ${two.length - badBom.length}: bad byte-order magic 0x12345678`,
    );
  });
});

describe('pcapng', () => {
  const T = BigInt(SEC) * 1_000_000n + 678_901n; // µs ticks, the default if_tsresol (10^-6)

  it.each([
    ['little-endian', true],
    ['big-endian', false],
  ])('%s section: SHB, IDB, EPB with the default µs resolution', (_n, le) => {
    const file = Buffer.from([
      ...shb(le),
      ...idb(le, 1),
      ...epb(le, 0, T, SYN),
      ...epb(le, 0, T + 1000n, UDP6),
    ]);
    const out = decodePcapBuffer(file);
    expect(out.fatal).toBeUndefined();
    expect(out.consumed).toBe(file.length);
    expect(out.events).toEqual([
      { ts: SEC * 1000 + 678, ...SYN_EVENT },
      { ts: SEC * 1000 + 679, proto: 'udp', port: 5060, src: '2001:db8::7', sport: 5060, dst: '2001:db8::1' },
    ]);
  });

  it('if_tsresol: 10^-9, 10^-3, 10^0, 2^-10, 10^-12; if_tsoffset in seconds; other options before them', () => {
    const le = true;
    const file = Buffer.from([
      ...shb(le),
      ...idb(le, 1, { name: 'eth0', tsresol: 9 }),
      ...idb(le, 1, { tsresol: 3 }),
      ...idb(le, 1, { tsresol: 0 }),
      ...idb(le, 1, { tsresol: 0x80 | 10 }),
      ...idb(le, 1, { tsresol: 12, tsoffset: BigInt(SEC) }), // 2^64 ps is only 213 days: an offset is needed
      ...idb(le, 1, { tsresol: 6, tsoffset: BigInt(SEC) }),
      ...epb(le, 0, BigInt(SEC) * 1_000_000_000n + 678_901_234n, SYN),
      ...epb(le, 1, BigInt(SEC) * 1000n + 5n, SYN),
      ...epb(le, 2, BigInt(SEC), SYN),
      ...epb(le, 3, (BigInt(SEC) << 10n) + 512n, SYN), // + half a second
      ...epb(le, 4, 100n * 10n ** 12n + 999_999_999_999n, SYN),
      ...epb(le, 5, 250_000n, SYN), // 0.25 s after the offset
    ]);
    expect(decodePcapBuffer(file).events.map((e) => e.ts - SEC * 1000)).toEqual([
      678, 5, 0, 500, 100_999, 250,
    ]);
  });

  it('ticksToMs is exact at ns resolution where a double division would round up', () => {
    const ns = { linkType: 1, binary: false, exp: 9, offsetSec: 0 };
    const ticks = 1_700_000_000_999_999_999n; // 1 ns before a whole second
    const hi = Number(ticks >> 32n);
    const lo = Number(ticks & 0xffffffffn);
    expect(ticksToMs(hi, lo, ns)).toBe(1_700_000_000_999);
    expect(Math.floor(Number(ticks) / 1e6)).toBe(1_700_000_001_000); // what a naive conversion gives
    expect(ticksToMs(0xffffffff, 0xffffffff, { ...ns, exp: 3 })).toBe(-1); // above 2^53 ms
    expect(ticksToMs(0, 5, { ...ns, exp: 6, offsetSec: -1 })).toBe(-1); // before 1970
  });

  it('Simple Packet Blocks (interface 0, time from the clock) and obsolete Packet Blocks', () => {
    const clock = new ManualClock(Date.UTC(2025, 0, 1));
    const le = false;
    const file = Buffer.from([
      ...shb(le),
      ...idb(le, 101),
      ...spb(le, SYN.slice(14)),
      ...spb(le, SYN.slice(14, 14 + 30), SYN.length - 14), // truncated to 30 bytes: TCP cut
      ...pb(le, 0, T, SYN.slice(14)),
    ]);
    const out = decodePcapBuffer(file, { clock });
    expect(out.events).toEqual([
      { ts: Date.UTC(2025, 0, 1), ...SYN_EVENT },
      { ts: SEC * 1000 + 678, ...SYN_EVENT },
    ]);
    expect(out.malformed).toEqual({ truncated: 1 });
  });

  it('unknown blocks (NRB, ISB, custom, journal, unassigned) are skipped by length without a result', () => {
    const le = true;
    const file = Buffer.from([
      ...shb(le),
      ...block(le, 4, [1, 0, 8, 0, 192, 0, 2, 1, ...Buffer.from('gw\0'), 0, 0, 0, 0]), // name resolution
      ...idb(le, 1),
      ...block(le, 5, [0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8]), // interface statistics
      ...block(le, 0x40000bad, [0x12, 0x34, 0, 0, 9, 9, 9]), // custom, do not copy
      ...block(le, 9, [...Buffer.from('__REALTIME_TIMESTAMP=1\n')]),
      ...block(le, 0x7777, []),
      ...epb(le, 0, T, SYN),
    ]);
    const seen: ParseResult[] = [];
    const r = new PcapDecoder().feed(file, (res) => seen.push(res));
    expect(r).toEqual({ consumed: file.length });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ kind: 'event', event: SYN_EVENT });
  });

  it('multiple sections: each SHB sets its byte order and empties the interface list', () => {
    const file = Buffer.from([
      ...shb(true),
      ...idb(true, 1),
      ...idb(true, 101, { tsresol: 9 }),
      ...epb(true, 1, BigInt(SEC) * 1_000_000_000n, SYN.slice(14)),
      ...shb(false),
      ...idb(false, 1),
      ...epb(false, 0, T, SYN),
      ...epb(false, 1, T, SYN), // interface 1 belonged to the first section
      ...shb(true),
      ...epb(true, 0, T, SYN), // no IDB yet in this section
    ]);
    const out = decodePcapBuffer(file);
    expect(out.fatal).toBeUndefined();
    expect(out.events.map((e) => e.ts)).toEqual([SEC * 1000, SEC * 1000 + 678]);
    expect(out.malformed).toEqual({ unknown_interface: 2 });
  });

  it('packet blocks that contradict themselves are bad_block; unsupported link types per interface', () => {
    const le = true;
    const file = Buffer.from([
      ...shb(le),
      ...idb(le, 1),
      ...idb(le, 105), // 802.11
      ...block(le, 1, [1, 0]), // an IDB too short to hold a link type: interface 2
      ...epb(le, 0, T, SYN, SYN.length + 100), // captured length beyond the block
      ...block(le, 6, [0, 0, 0, 0, 1, 2, 3, 4]), // EPB body shorter than its fixed fields
      ...block(le, 3, []), // SPB without its original-length field
      ...epb(le, 1, T, SYN),
      ...epb(le, 2, T, SYN),
      ...epb(le, 0, T, icmp(8)), // 8 bytes on an Ethernet interface
    ]);
    const out = decodePcapBuffer(file);
    expect(out.fatal).toBeUndefined();
    expect(out.packets).toBe(6);
    expect(out.malformed).toEqual({ bad_block: 4, unsupported_link_type: 1, truncated: 1 });
  });

  it('IDB options running past the block end are ignored (default resolution kept)', () => {
    const le = true;
    const idbBody = [1, 0, 0, 0, 0, 0, 4, 0, ...option(le, 9, [9]).slice(0, 2), 200, 0, 9, 0, 0, 0];
    const file = Buffer.from([...shb(le), ...block(le, 1, idbBody), ...epb(le, 0, T, SYN)]);
    expect(decodePcapBuffer(file).events.map((e) => e.ts)).toEqual([SEC * 1000 + 678]);
  });
});

describe('streaming', () => {
  const classic = pcapFile({
    le: false,
    nano: true,
    linkType: 1,
    records: Array.from({ length: 30 }, (_, i) => ({
      sec: SEC + i,
      frac: i * 1000,
      data: i % 2 ? SYN : UDP6,
    })),
  });
  const ng = Buffer.from([
    ...shb(true),
    ...block(true, 4, [0, 0, 0, 0]),
    ...idb(true, 1),
    ...Array.from({ length: 20 }, (_, i) => epb(true, 0, BigInt(i), i % 3 ? SYN : UDP6)).flat(),
    ...shb(false),
    ...idb(false, 1),
    ...epb(false, 0, 5n, SYN),
  ]);

  it.each([
    ['classic big-endian ns', classic],
    ['pcapng, two sections', ng],
  ])('%s: byte-by-byte and odd chunk sizes give the same results and record ends as one feed', (_n, file) => {
    const whole = feedInChunks(new PcapDecoder(), file, () => file.length);
    expect(whole.consumed).toBe(file.length);
    expect(whole.seen.length).toBeGreaterThan(20);
    for (const size of [() => 1, () => 3, (i: number) => 1 + ((i * 7919) % 97)]) {
      const got = feedInChunks(new PcapDecoder(), file, size);
      expect(got.consumed).toBe(file.length);
      expect(got.seen).toEqual(whole.seen);
    }
    // Record ends are increasing and the last one is the end of the file.
    const ends = whole.seen.map((s) => s.end);
    expect(ends).toEqual([...ends].sort((a, b) => a - b));
    expect(ends.at(-1)).toBe(file.length);
  });

  it('results keep no reference to the fed buffer', () => {
    const buf = Buffer.from(classic);
    const seen: ParseResult[] = [];
    new PcapDecoder().feed(buf, (r) => seen.push(r));
    const before = JSON.stringify(seen);
    buf.fill(0xff);
    expect(JSON.stringify(seen)).toBe(before);
  });

  it('an exception thrown by onResult is the caller’s: it propagates', () => {
    const dec = new PcapDecoder();
    expect(() =>
      dec.feed(classic, () => {
        throw new Error('sink failed');
      }),
    ).toThrow('sink failed');
  });
});

describe('pcapInput definition', () => {
  it('is a packets input named pcap whose decoder reads both formats and applies local_networks', () => {
    expect(pcapInput).toMatchObject({ type: 'pcap', kind: 'packets' });
    const dec = pcapInput.createDecoder({
      timezone: 'utc',
      options: { local_networks: ['198.51.100.0/24'] },
    });
    expect(dec.type).toBe('pcap');
    const seen: ParseResult[] = [];
    dec.feed(pcapFile({ linkType: 1, records: [{ sec: SEC, frac: 0, data: SYN }] }), (r) => seen.push(r));
    expect(seen).toEqual([{ kind: 'skip', reason: 'outbound' }]);
    const plain = pcapInput.createDecoder({ timezone: 'local' });
    const seen2: ParseResult[] = [];
    plain.feed(Buffer.from([...shb(true), ...idb(true, 1), ...epb(true, 0, T0, SYN)]), (r) => seen2.push(r));
    expect(seen2).toEqual([{ kind: 'event', event: { ts: SEC * 1000, ...SYN_EVENT } }]);
  });
});

const T0 = BigInt(SEC) * 1_000_000n;
