/**
 * The pcap decoder against the real captures in /work/shared/fixtures/real/pcap (SOURCES.md: all classic
 * little-endian µs pcap, Ethernet or raw IP, IPv4 and ICMPv6). Expected values come from two independent
 * readings, never from what the decoder printed once:
 * - a deliberately simple reader written here (classic pcap, Ethernet/raw IP, IPv4/IPv6 without extension
 *   headers, Buffer read methods), with the attempt rule restated in a few lines;
 * - `tcpdump -nn -tt -r FILE` text, parsed with regexes (skipped with a message when tcpdump is absent).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { AttackEvent } from '../../../core/event.js';
import type { ParseResult } from '../input.js';
import { decodePcapBuffer, PcapDecoder } from './index.js';

const dir = fileURLToPath(new URL('../../../../../shared/fixtures/real/pcap/', import.meta.url));
const present = existsSync(dir);
if (!present) console.warn(`pcap fixture tests skipped: ${dir} is absent`);
const files = present ? readdirSync(dir).filter((f) => f.endsWith('.pcap') || f.endsWith('.pcapng')) : [];

const tcpdumpPath = [
  '/usr/bin/tcpdump',
  '/usr/sbin/tcpdump',
  '/usr/local/bin/tcpdump',
  '/usr/local/sbin/tcpdump',
].find((p) => existsSync(p));
if (present && tcpdumpPath === undefined)
  console.warn('pcap fixture tests: tcpdump is absent, its comparison is skipped');

/** One packet as the simple reader or tcpdump sees it. */
interface RefPacket {
  ts: number;
  proto: 'tcp' | 'udp' | 'icmp' | 'icmp6' | 'other';
  port: number;
  src: string;
  dst: string;
  sport?: number;
  flags?: string;
}

/** The attempt rule, restated: SYN without ACK, or a scan without SYN/ACK/RST; UDP; ICMP requests. */
function isAttempt(p: RefPacket): boolean {
  if (p.proto === 'tcp') {
    const f = p.flags ?? '';
    const syn = f.includes('S');
    const ack = f.includes('A');
    return (syn && !ack) || (!syn && !ack && !f.includes('R'));
  }
  if (p.proto === 'icmp') return [8, 13, 15, 17, 42].includes(p.port);
  if (p.proto === 'icmp6') return [128, 139, 160].includes(p.port);
  return true;
}

const toEvent = (p: RefPacket): AttackEvent => {
  const e: AttackEvent = { ts: p.ts, proto: p.proto, port: p.port, src: p.src };
  if (p.sport !== undefined) e.sport = p.sport;
  e.dst = p.dst;
  if (p.flags !== undefined) e.flags = p.flags;
  return e;
};

/** RFC 5952 text by an independent implementation: the WHATWG URL serialiser. */
const v6text = (b: Buffer): string => {
  const groups = Array.from({ length: 8 }, (_, i) => b.readUInt16BE(2 * i).toString(16));
  return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1);
};

/** The simple reader: classic pcap only, Ethernet (no VLAN) or raw IP, no IPv6 extension headers. */
function simpleRead(file: Buffer): RefPacket[] {
  const le = file.readUInt32LE(0) === 0xa1b2c3d4;
  const u32 = (at: number): number => (le ? file.readUInt32LE(at) : file.readUInt32BE(at));
  const link = u32(20);
  const out: RefPacket[] = [];
  for (let p = 24; p + 16 <= file.length;) {
    const ts = u32(p) * 1000 + Math.floor(u32(p + 4) / 1000);
    const frame = file.subarray(p + 16, p + 16 + u32(p + 8));
    p += 16 + frame.length;
    const ipStart = link === 1 ? 14 : 0;
    const ip = frame.subarray(ipStart);
    const v = ip[0]! >> 4;
    let proto: number;
    let l4: Buffer;
    let src: string;
    let dst: string;
    if (v === 4) {
      proto = ip[9]!;
      l4 = ip.subarray((ip[0]! & 15) * 4);
      src = [...ip.subarray(12, 16)].join('.');
      dst = [...ip.subarray(16, 20)].join('.');
    } else {
      proto = ip[6]!;
      l4 = ip.subarray(40);
      src = v6text(ip.subarray(8, 24));
      dst = v6text(ip.subarray(24, 40));
    }
    if (proto === 6) {
      const flags = [...'FSRPAUEC'].filter((_, i) => (l4[13]! >> i) & 1).join('');
      out.push({ ts, proto: 'tcp', port: l4.readUInt16BE(2), src, dst, sport: l4.readUInt16BE(0), flags });
    } else if (proto === 17) {
      out.push({ ts, proto: 'udp', port: l4.readUInt16BE(2), src, dst, sport: l4.readUInt16BE(0) });
    } else if (proto === 1 || proto === 58) {
      out.push({ ts, proto: proto === 1 ? 'icmp' : 'icmp6', port: l4[0]!, src, dst });
    } else {
      out.push({ ts, proto: 'other', port: proto, src, dst });
    }
  }
  return out;
}

const ICMP_NAMES: Record<string, number> = { 'echo request': 8, 'echo reply': 0 };
const ICMP6_NAMES: Record<string, number> = {
  'destination unreachable': 1,
  'time exceeded': 3,
  'echo request': 128,
  'echo reply': 129,
  'router solicitation': 133,
  'router advertisement': 134,
  'neighbor solicitation': 135,
  'neighbor advertisement': 136,
};
/** tcpdump's flag characters to ours ('.' is ACK, 'W' is CWR). */
const TCPDUMP_FLAGS: Record<string, string> = {
  F: 'F',
  S: 'S',
  R: 'R',
  P: 'P',
  '.': 'A',
  U: 'U',
  E: 'E',
  W: 'C',
};

/** `tcpdump -nn -tt -r` lines to packets; a line of a kind these fixtures should not hold throws. */
function tcpdumpRead(path: string): RefPacket[] {
  const text = execFileSync(tcpdumpPath!, ['-nn', '-tt', '-r', path], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    maxBuffer: 64 << 20,
  });
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((line): RefPacket => {
      const m = /^(\d+)\.(\d{6}) IP6? (\S+) > (\S+): (.*)$/.exec(line);
      if (m === null) throw new Error(`unexpected tcpdump line: ${line}`);
      const ts = Number(m[1]) * 1000 + Math.floor(Number(m[2]) / 1000);
      const [, , , from, to, rest] = m as unknown as [string, string, string, string, string, string];
      const tcp = /^Flags \[([^\]]*)\]/.exec(rest);
      if (tcp !== null) {
        const cut = (a: string): [string, number] => [
          a.slice(0, a.lastIndexOf('.')),
          Number(a.slice(a.lastIndexOf('.') + 1)),
        ];
        const [src, sport] = cut(from);
        const [dst, port] = cut(to);
        const have = new Set([...tcp[1]!].map((c) => TCPDUMP_FLAGS[c]));
        const flags = [...'FSRPAUEC'].filter((c) => have.has(c)).join('');
        return { ts, proto: 'tcp', port, src, dst, sport, flags };
      }
      const icmp = /^(ICMP6?),? (.*)$/.exec(rest);
      if (icmp !== null) {
        const six = icmp[1] === 'ICMP6';
        const names = six ? ICMP6_NAMES : ICMP_NAMES;
        const name = Object.keys(names).find((n) => icmp[2]!.startsWith(n));
        if (name === undefined) throw new Error(`unknown ICMP name in: ${line}`);
        return { ts, proto: six ? 'icmp6' : 'icmp', port: names[name]!, src: from, dst: to };
      }
      throw new Error(`unexpected tcpdump line: ${line}`);
    });
}

const countByKey = (ps: Array<{ proto: string; port: number }>): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const p of ps) out[`${p.proto}/${p.port}`] = (out[`${p.proto}/${p.port}`] ?? 0) + 1;
  return out;
};

function decodeAll(file: Buffer, localNetworks?: string[]): Array<{ r: ParseResult; end: number }> {
  const seen: Array<{ r: ParseResult; end: number }> = [];
  const r = new PcapDecoder({ localNetworks }).feed(file, (res, end) => seen.push({ r: res, end }));
  expect(r.fatal).toBeUndefined();
  expect(r.consumed).toBe(file.length);
  return seen;
}
const eventsOf = (rs: Array<{ r: ParseResult }>): AttackEvent[] =>
  rs.flatMap(({ r }) => (r.kind === 'event' ? [r.event] : []));

describe.skipIf(!present)('pcap decoder on real fixtures', () => {
  it('finds the 8 files and 3347 packets SOURCES.md lists', () => {
    expect(files).toHaveLength(8);
    const total = files.reduce((n, f) => n + decodePcapBuffer(readFileSync(dir + f)).packets, 0);
    expect(total).toBe(3347);
  });

  it.each(files)('%s: every packet accounted for; events equal the simple reader’s, field by field', (f) => {
    const file = readFileSync(dir + f);
    const ref = simpleRead(file);
    const seen = decodeAll(file);
    expect(seen).toHaveLength(ref.length);
    seen.forEach(({ r }, i) => {
      const want = ref[i]!;
      if (isAttempt(want)) expect(r, `${f} packet ${i + 1}`).toEqual({ kind: 'event', event: toEvent(want) });
      else expect(r, `${f} packet ${i + 1}`).toEqual({ kind: 'skip', reason: 'not_attempt' });
    });
    expect(countByKey(eventsOf(seen))).toEqual(countByKey(ref.filter(isAttempt)));
  });

  it.skipIf(tcpdumpPath === undefined).each(files)(
    '%s: per (proto, port) counts and every event equal what tcpdump -nn -tt prints',
    (f) => {
      const ref = tcpdumpRead(dir + f);
      const seen = decodeAll(readFileSync(dir + f));
      expect(seen).toHaveLength(ref.length);
      const events = eventsOf(seen);
      expect(countByKey(events)).toEqual(countByKey(ref.filter(isAttempt)));
      expect(events).toEqual(ref.filter(isAttempt).map(toEvent));
      const skipped = seen.filter(({ r }) => r.kind === 'skip' && r.reason === 'not_attempt').length;
      expect(skipped).toBe(ref.filter((p) => !isAttempt(p)).length);
    },
  );

  it('chosen packets: exact events (values read off tcpdump -nn -tt lines quoted here)', () => {
    const ev = (f: string, n: number): ParseResult => decodeAll(readFileSync(dir + f))[n - 1]!.r;
    // 1278275056.274870 IP 172.16.0.8.36050 > 64.13.134.52.443: Flags [S], seq 3713172248, win 3072, ...
    expect(ev('ndpi-synscan.pcap', 1)).toEqual({
      kind: 'event',
      event: {
        ts: 1278275056274,
        proto: 'tcp',
        port: 443,
        src: '172.16.0.8',
        sport: 36050,
        dst: '64.13.134.52',
        flags: 'S',
      },
    });
    // 1551120432.183477 IP 192.168.0.11.46381 > 10.0.0.149.5900: Flags [SEW], ... (E = ECE, W = CWR)
    expect(ev('zeek-rfb-vnc-scanner.pcap', 1)).toEqual({
      kind: 'event',
      event: {
        ts: 1551120432183,
        proto: 'tcp',
        port: 5900,
        src: '192.168.0.11',
        sport: 46381,
        dst: '10.0.0.149',
        flags: 'SEC',
      },
    });
    // 1551120432.184858 IP 10.0.0.149.5900 > 192.168.0.11.46381: Flags [S.], ... (a SYN-ACK reply)
    expect(ev('zeek-rfb-vnc-scanner.pcap', 2)).toEqual({ kind: 'skip', reason: 'not_attempt' });
    // 1299470395.000000 IP 10.0.0.2.20 > 10.0.0.3.0: Flags [S], seq 0, win 8192, length 0 (raw IP, port 0)
    expect(ev('zeek-rotation.pcap', 2)).toEqual({
      kind: 'event',
      event: {
        ts: 1299470395000,
        proto: 'tcp',
        port: 0,
        src: '10.0.0.2',
        sport: 20,
        dst: '10.0.0.3',
        flags: 'S',
      },
    });
    // 921159937.408548 IP6 3ffe:507:0:1:200:86ff:fe05:80da > 3ffe:501:0:1001::2: ICMP6, echo request, ...
    expect(ev('zeek-communityid-icmp6.pcap', 23)).toEqual({
      kind: 'event',
      event: {
        ts: 921159937408,
        proto: 'icmp6',
        port: 128,
        src: '3ffe:507:0:1:200:86ff:fe05:80da',
        dst: '3ffe:501:0:1001::2',
      },
    });
    // 1607454603.986596 IP 172.16.133.2 > 172.217.11.78: ICMP echo request, id 1226, seq 1, length 64
    expect(ev('zeek-icmp-5-pings.pcap', 1)).toEqual({
      kind: 'event',
      event: { ts: 1607454603986, proto: 'icmp', port: 8, src: '172.16.133.2', dst: '172.217.11.78' },
    });
    // 1607454604.012895 IP 172.217.11.78 > 172.16.133.2: ICMP echo reply, ...
    expect(ev('zeek-icmp-5-pings.pcap', 2)).toEqual({ kind: 'skip', reason: 'not_attempt' });
  });

  it('what SOURCES.md says of each file holds', () => {
    const evs = (f: string): AttackEvent[] => decodePcapBuffer(readFileSync(dir + f)).events;
    const syn = evs('ndpi-synscan.pcap');
    expect(new Set(syn.map((e) => e.port)).size).toBe(1000); // 1000 distinct ports
    expect(syn.every((e) => e.src === '172.16.0.8' && e.flags === 'S')).toBe(true);
    const flood = evs('suricata-verify-tcp-session-syn-flood-input.pcap');
    expect(flood).toHaveLength(200);
    expect(new Set(flood.map((e) => `${e.src}>${e.dst}:${e.port}`))).toEqual(
      new Set(['192.0.2.10>198.51.100.5:443']),
    );
    expect(evs('zeek-ssh-sshguess.pcap').map((e) => e.port)).toEqual(Array<number>(11).fill(22));
    expect(evs('zeek-ftp-bruteforce.pcap').map((e) => e.port)).toEqual(Array<number>(30).fill(21));
    const rot = evs('zeek-rotation.pcap');
    expect(rot).toHaveLength(20);
    expect(new Set(rot.map((e) => `${e.dst}:${e.port}`)).size).toBe(20);
    expect(evs('zeek-icmp-5-pings.pcap').map((e) => [e.proto, e.port])).toEqual(Array(5).fill(['icmp', 8]));
    // ICMPv6: neighbour discovery, errors and replies are not attempts; the 8 echo requests are.
    const icmp6 = evs('zeek-communityid-icmp6.pcap');
    expect(icmp6.map((e) => [e.proto, e.port])).toEqual(Array(8).fill(['icmp6', 128]));
  });

  it('local_networks: the FTP server’s own packets become outbound', () => {
    const file = readFileSync(dir + 'zeek-ftp-bruteforce.pcap');
    const ref = simpleRead(file);
    const seen = decodeAll(file, ['192.168.56.101/32']);
    ref.forEach((p, i) => {
      const r = seen[i]!.r;
      if (p.src === '192.168.56.101') expect(r).toEqual({ kind: 'skip', reason: 'outbound' });
      else expect(r.kind).toBe(isAttempt(p) ? 'event' : 'skip');
    });
    expect(ref.filter((p) => p.src === '192.168.56.101').length).toBeGreaterThan(200);
  });

  it.each(files)('%s: random-sized chunks give the same results and record ends as one feed', (f) => {
    const file = readFileSync(dir + f);
    const whole = decodeAll(file);
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let round = 0; round < 3; round++) {
      const dec = new PcapDecoder();
      const got: Array<{ r: ParseResult; end: number }> = [];
      let pending = Buffer.alloc(0);
      let base = 0;
      for (let at = 0; at < file.length;) {
        const n = 1 + rnd(round === 0 ? 16 : round === 1 ? 700 : 9000);
        pending = Buffer.concat([pending, file.subarray(at, at + n)]);
        at += n;
        const b = base;
        const r = dec.feed(pending, (res, end) => got.push({ r: res, end: b + end }));
        if (r.fatal !== undefined) throw new Error(r.fatal);
        base += r.consumed;
        pending = pending.subarray(r.consumed);
      }
      expect(base).toBe(file.length);
      expect(got).toEqual(whole);
    }
  });
});
