/**
 * The Junos parser against the real files of /work/shared/fixtures/real/juniper (SOURCES.md says what each is).
 * Expected values come from the lines themselves: a deliberately simple reference reading with regular
 * expressions, written here after the rules of parser.ts, and values read off chosen lines by hand.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { AttackEvent } from '../../../core/event.js';
import type { ParseResult } from '../input.js';
import { JuniperParser } from './index.js';

const dir = fileURLToPath(new URL('../../../../../shared/fixtures/real/juniper/', import.meta.url));
const present = existsSync(dir);
if (!present) console.warn(`juniper fixture tests skipped: ${dir} is absent`);

const NOW = Date.UTC(2024, 5, 1); // after every year-less stamp of the fixtures
const ctx = { now: NOW };
const lines = (f: string): string[] =>
  readFileSync(dir + f, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);
const parseAll = (f: string): ParseResult[] => {
  const p = new JuniperParser({ timezone: 'utc' });
  return lines(f).map((l) => p.parseLine(l, ctx));
};
/** RFC 5952 text by an independent implementation: the WHATWG URL serialiser. */
const canon = (a: string): string => (a.includes(':') ? new URL(`http://[${a}]/`).hostname.slice(1, -1) : a);

type Outcome =
  | { kind: 'event'; event: Omit<AttackEvent, 'flags'> }
  | { kind: 'skip'; reason: string }
  | { kind: 'malformed'; reason: string };

/** The time of a line: an RFC 3339 stamp before the message, else a classic stamp at the start, else NOW. */
function referenceTime(line: string): number {
  const iso = /(?:^|\s|>1 )(\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:\d\d))\s/.exec(line);
  if (iso) return Date.parse(iso[1]!);
  const m = /^(?:<\d+>)?(\w{3}) +(\d+) (\d\d):(\d\d):(\d\d) /.exec(line);
  if (!m) return NOW;
  const mo = 'JanFebMarAprMayJunJulAugSepOctNovDec'.indexOf(m[1]!) / 3;
  const at = (y: number): number => Date.UTC(y, mo, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]));
  return at(2024) > NOW + 86_400_000 ? at(2023) : at(2024);
}

/** A deliberately simple reading of one line after the rules documented in parser.ts. */
function reference(line: string): Outcome {
  const id = /(?:^|\s)(RT_FLOW_SESSION_(?:CREATE|DENY)|RT_SCREEN_[A-Z0-9_]+?)(?:_LS)?(?:: | \[)/.exec(
    line,
  )?.[1];
  if (id === undefined) {
    return /(?:^|\s)[A-Z][A-Z0-9]*_[A-Z0-9_]*(?:: | \[)/.test(line)
      ? { kind: 'skip', reason: 'not_attempt' }
      : { kind: 'skip', reason: 'not_firewall' };
  }
  const sd = (k: string): string | undefined => new RegExp(`[\\[ ]${k}="([^"]*)"`).exec(line)?.[1];
  let src: string | undefined;
  let sport: string | undefined;
  let dst: string | undefined;
  let dport: string | undefined;
  let proto: string | undefined;
  let icmp: string | undefined;
  let service: string | undefined;
  let attack: string | undefined;
  if (line.includes(`${id} [`)) {
    [src, sport, dst, dport] = [
      sd('source-address'),
      sd('source-port'),
      sd('destination-address'),
      sd('destination-port'),
    ];
    [proto, icmp, service, attack] = [
      sd('protocol-id'),
      sd('icmp-type'),
      sd('service-name'),
      sd('attack-name'),
    ];
  } else if (id.startsWith('RT_FLOW')) {
    const m = /session (?:created|denied) (\S+)\/(\d+)->(\S+)\/(\d+) (?:0x\S+ )?(\S+)(.*)$/.exec(line);
    if (!m) return { kind: 'malformed', reason: 'missing_tuple' };
    [, src, sport, dst, dport, service] = m;
    const p = /\s(\d{1,3})(?:\((\d{1,3})\))?(?=\s|$)/.exec(m[6]!);
    [proto, icmp] = [p?.[1], p?.[2]];
  } else {
    const m = /: (.*?) source: ([^,]+), destination: ([^,]+)/.exec(line)!;
    attack = m[1];
    const port = /TCP|UDP/.test(id);
    [src, sport] = port ? [m[2]!.replace(/:\d+$/, ''), /:(\d+)$/.exec(m[2]!)?.[1]] : [m[2], undefined];
    [dst, dport] = port ? [m[3]!.replace(/:\d+$/, ''), /:(\d+)$/.exec(m[3]!)?.[1]] : [m[3], undefined];
  }
  const srcText = src === undefined ? undefined : canon(src);
  const screen = id.startsWith('RT_SCREEN_');
  let protoName: AttackEvent['proto'];
  let port: number;
  if (/^RT_SCREEN_(TCP|UDP)/.test(id)) {
    protoName = id.includes('TCP') ? 'tcp' : 'udp';
    port = Number(dport);
  } else if (/^RT_SCREEN_ICMP/.test(id)) {
    if (!/sweep|flood|ping/i.test(attack ?? '')) return { kind: 'skip', reason: 'not_attempt' };
    protoName = srcText?.includes(':') ? 'icmp6' : 'icmp';
    port = protoName === 'icmp' ? 8 : 128;
  } else if (screen && id !== 'RT_SCREEN_IP') return { kind: 'skip', reason: 'not_attempt' };
  else {
    const n = Number(proto);
    if (screen && [1, 6, 17, 58].includes(n)) return { kind: 'skip', reason: 'not_attempt' };
    protoName = n === 6 ? 'tcp' : n === 17 ? 'udp' : n === 1 ? 'icmp' : n === 58 ? 'icmp6' : 'other';
    if (protoName === 'icmp' || protoName === 'icmp6') {
      if (icmp !== undefined) port = Number(icmp);
      else if (/ping/i.test(service ?? '')) port = protoName === 'icmp' ? 8 : 128;
      else return { kind: 'skip', reason: 'not_attempt' };
    } else port = protoName === 'other' ? n : Number(dport);
  }
  const tcpUdp = protoName === 'tcp' || protoName === 'udp';
  return {
    kind: 'event',
    event: {
      ts: referenceTime(line),
      proto: protoName,
      port,
      src: srcText!,
      sport: tcpUdp && sport !== undefined ? Number(sport) : undefined,
      dst: dst === undefined ? undefined : canon(dst),
      handshake: protoName === 'tcp' && id === 'RT_FLOW_SESSION_DENY' ? false : undefined,
    },
  };
}

const strip = (r: ParseResult): Outcome =>
  r.kind === 'event'
    ? { kind: 'event', event: { ...r.event, flags: undefined } as Omit<AttackEvent, 'flags'> }
    : r;

describe.skipIf(!present)('juniper parser on real fixtures', () => {
  it('agrees with the reference reading on every line of every file', () => {
    const files = readdirSync(dir);
    expect(files.length).toBe(3);
    let events = 0;
    for (const f of files) {
      const p = new JuniperParser({ timezone: 'utc' });
      for (const line of lines(f)) {
        const got = strip(p.parseLine(line, ctx));
        expect(JSON.parse(JSON.stringify(got)), `${f}: ${line}`).toEqual(
          JSON.parse(JSON.stringify(reference(line))),
        );
        if (got.kind === 'event') events++;
      }
    }
    // Every RT_FLOW_SESSION_CREATE/DENY line and the one keyable screen (an ICMP address sweep).
    const all = files.flatMap(lines);
    expect(events).toBe(all.filter((l) => /RT_FLOW_SESSION_(CREATE|DENY)\b/.test(l)).length + 1);
  });

  it('logstash-junos_spec: classic CREATE and DENY are attempts, CLOSE repeats the create', () => {
    const rs = parseAll('logstash-junos_spec.log');
    expect(rs[0]).toEqual({ kind: 'skip', reason: 'not_attempt' });
    // Dec 17 08:04:45 RT_FLOW: RT_FLOW_SESSION_CREATE: session created 10.10.10.2/53836->10.10.10.1/22 ... 6
    expect(rs[1]).toEqual({
      kind: 'event',
      event: {
        ts: Date.UTC(2023, 11, 17, 8, 4, 45), // year-less December stamp read in June 2024: last year
        proto: 'tcp',
        port: 22,
        src: '10.10.10.2',
        sport: 53836,
        dst: '10.10.10.1',
        flags: undefined,
        handshake: undefined,
      },
    });
    // Sep 29 23:49:20 SRX-1 RT_FLOW: RT_FLOW_SESSION_DENY: session denied 10.0.0.1/54924->192.168.1.1/53 junos-dns-udp 17(0)
    expect(rs[2]).toMatchObject({
      kind: 'event',
      event: { ts: Date.UTC(2023, 8, 29, 23, 49, 20), proto: 'udp', port: 53, src: '10.0.0.1', sport: 54924 },
    });
  });

  it('sekoia: creates, denies and screens without a syslog header take ctx.now; system messages are skipped', () => {
    const ls = lines('sekoia-juniper-ngfw-tests.log');
    const rs = parseAll('sekoia-juniper-ngfw-tests.log');
    const at = (prefix: string): ParseResult => rs[ls.findIndex((l) => l.startsWith(prefix))]!;
    expect(at('RT_FLOW_SESSION_CREATE:')).toMatchObject({
      kind: 'event',
      event: { ts: NOW, proto: 'tcp', port: 25, src: '1.2.3.4', sport: 46087, dst: '5.6.7.8' },
    });
    expect(at('RT_FLOW_SESSION_DENY [')).toMatchObject({
      kind: 'event',
      event: {
        proto: 'tcp',
        port: 443,
        src: '192.168.1.11',
        sport: 62224,
        dst: '192.168.1.12',
        handshake: false,
      },
    });
    // Address sweep: an ICMP echo scan, keyed as icmp/8 (Junos logs no type).
    expect(at('RT_SCREEN_ICMP')).toMatchObject({
      kind: 'event',
      event: { proto: 'icmp', port: 8, src: '192.168.1.2', dst: '192.168.1.1' },
    });
    expect(at('RT_FLOW_SESSION_CLOSE:')).toEqual({ kind: 'skip', reason: 'not_attempt' });
    expect(at('RT_FLOW_SESSION_CLOSE [')).toEqual({ kind: 'skip', reason: 'not_attempt' });
    // Junos daemons with a message ID (mgd UI_*, l2ald) hold no attempt; lines without one are another program's.
    ls.forEach((l, i) => {
      if (/^(mgd|l2ald)\[/.test(l)) expect(rs[i], l).toEqual({ kind: 'skip', reason: 'not_attempt' });
      if (/^(xntpd|\/usr\/sbin\/cron|keyadmin|rshd|sshd)\b|^1,/.test(l))
        expect(rs[i], l).toEqual({ kind: 'skip', reason: 'not_firewall' });
    });
    expect(rs.filter((r) => r.kind === 'malformed')).toEqual([]);
  });

  it('wazuh: structured data behind a relay header takes the device RFC 3339 time; IP screen of UDP is not keyable', () => {
    const rs = parseAll('wazuh-junos.ini.log');
    expect(rs[0]).toEqual({ kind: 'skip', reason: 'not_attempt' }); // RT_SCREEN_IP, protocol-id 17, no port
    expect(rs[1]).toEqual({
      kind: 'event',
      event: {
        ts: Date.parse('2017-09-23T13:54:54.803Z'),
        proto: 'udp',
        port: 8010,
        src: '192.168.1.1',
        sport: 1080,
        dst: '192.168.1.2',
        flags: undefined,
        handshake: undefined,
      },
    });
    expect(rs[2]).toEqual({ kind: 'skip', reason: 'not_attempt' }); // FLOW_MCAST_RPF_FAIL
  });

  it('inboundZones: records from other source zones are outbound', () => {
    const p = new JuniperParser({ timezone: 'utc', inboundZones: ['untrust'] });
    const out = lines('logstash-junos_spec.log').map((l) => p.parseLine(l, ctx).kind);
    // CREATE from zone untrust (to junos-host) stays; DENY from zone trust is outbound.
    expect(out).toEqual(['skip', 'event', 'skip']);
    expect(p.parseLine(lines('logstash-junos_spec.log')[2]!, ctx)).toEqual({
      kind: 'skip',
      reason: 'outbound',
    });
  });
});
