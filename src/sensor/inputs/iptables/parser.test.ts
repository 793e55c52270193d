/**
 * Unit cases of the netfilter parser on lines written here after the kernel's format (nf_log_syslog.c), for what
 * the real fixtures do not show: ICMP errors with an inner packet, refused lines, stamps and zones.
 */
import { describe, expect, it } from 'vitest';
import { IptablesParser } from './parser.js';

const NOW = Date.UTC(2024, 0, 1, 0, 30); // just after new year
const ctx = { now: NOW };
const head = 'Dec 31 23:59:58 gw kernel: [ 12.345678] DROP ';
const tcp =
  'IN=eth0 OUT= MAC=00:11:22:33:44:55:66:77:88:99:aa:bb:08:00 SRC=203.0.113.9 DST=198.51.100.20 LEN=44 TOS=0x00 PREC=0x00 TTL=50 ID=1 PROTO=TCP SPT=40000 DPT=22 WINDOW=1024 RES=0x00 CWR ECE SYN URGP=0';
const parse = (line: string, now = NOW) => new IptablesParser({ timezone: 'utc' }).parseLine(line, { now });

describe('IptablesParser', () => {
  it('reads a TCP line, flags in FSRPAUEC order whatever the log order', () => {
    expect(parse(head + tcp)).toEqual({
      kind: 'event',
      event: {
        ts: Date.UTC(2023, 11, 31, 23, 59, 58),
        proto: 'tcp',
        port: 22,
        src: '203.0.113.9',
        sport: 40000,
        dst: '198.51.100.20',
        flags: 'SEC',
      },
    });
    const r = parse(head + tcp.replace('CWR ECE SYN', 'ACK RST PSH FIN URG'));
    expect(r.kind === 'event' && r.event.flags).toBe('FRPAU');
  });

  it('keeps the outer packet of an ICMP error: the bracketed inner packet never overrides it', () => {
    const line = `${head}IN=eth0 OUT= MAC= SRC=192.0.2.1 DST=198.51.100.7 LEN=72 TOS=0x00 PREC=0xC0 TTL=64 ID=1 PROTO=ICMP TYPE=3 CODE=3 [SRC=198.51.100.7 DST=192.0.2.1 LEN=44 TOS=0x00 PREC=0x00 TTL=63 ID=9 PROTO=UDP SPT=53 DPT=33434 LEN=24 ] MTU=0`;
    expect(parse(line)).toMatchObject({
      kind: 'event',
      event: { proto: 'icmp', port: 3, src: '192.0.2.1', dst: '198.51.100.7' },
    });
    const six = `${head}IN=eth0 OUT= MAC= SRC=2001:0db8:0000:0000:0000:0000:0000:0001 DST=2001:0db8:0000:0000:0000:0000:0000:0002 LEN=100 TC=0 HOPLIMIT=64 FLOWLBL=0 PROTO=ICMPv6 TYPE=1 CODE=4 [SRC=2001:db8::2 DST=2001:db8::1 LEN=52 TC=0 HOPLIMIT=63 FLOWLBL=0 PROTO=TCP SPT=1 DPT=2 ] `;
    expect(parse(six)).toMatchObject({
      kind: 'event',
      event: { proto: 'icmp6', port: 1, src: '2001:db8::1', dst: '2001:db8::2' },
    });
  });

  it('uses the first ID=-like key only: the ICMP echo ID= does not disturb TYPE', () => {
    const line = `${head}IN=eth0 OUT= SRC=192.0.2.1 DST=192.0.2.2 LEN=28 TOS=0x00 PREC=0x00 TTL=64 ID=7 PROTO=ICMP TYPE=8 CODE=0 ID=2158 SEQ=512`;
    expect(parse(line)).toMatchObject({ kind: 'event', event: { proto: 'icmp', port: 8 } });
  });

  it.each([
    ['missing_src', tcp.replace('SRC=203.0.113.9 ', '')],
    ['bad_src', tcp.replace('SRC=203.0.113.9', 'SRC=203.0.113.9x')],
    ['bad_src', tcp.replace('SRC=203.0.113.9', 'SRC=203.0.113.256')],
    ['bad_dst', tcp.replace('DST=198.51.100.20', 'DST=2001:db8:::1')],
    ['missing_proto', tcp.replace('PROTO=TCP ', '')],
    ['bad_proto', tcp.replace('PROTO=TCP', 'PROTO=WAT')],
    ['missing_dpt', tcp.replace('DPT=22 ', '')],
    ['bad_port', tcp.replace('DPT=22', 'DPT=22abc')],
    ['bad_port', tcp.replace('DPT=22', 'DPT=65536')],
    ['bad_port', tcp.replace('SPT=40000', 'SPT=-1')],
    ['missing_icmp_type', tcp.replace(/PROTO=TCP.*/, 'PROTO=ICMP INCOMPLETE [8 bytes]')],
    ['missing_in', tcp.replace('IN=eth0 OUT= ', 'OUT= ')],
  ])('refuses %s without throwing', (reason, fields) => {
    expect(parse(head + fields)).toEqual({ kind: 'malformed', reason });
  });

  it('skips what is not an inbound attempt', () => {
    expect(parse('Jan  1 00:00:01 host sshd[1]: Accepted publickey for root')).toEqual({
      kind: 'skip',
      reason: 'not_firewall',
    });
    expect(parse(head + tcp.replace('IN=eth0 OUT=', 'IN= OUT=eth0'))).toEqual({
      kind: 'skip',
      reason: 'outbound',
    });
    expect(parse(head + tcp.replace('IN=eth0', 'IN=lo'))).toEqual({ kind: 'skip', reason: 'loopback' });
    expect(parse('')).toEqual({ kind: 'skip', reason: 'empty' });
    expect(parse('\r\n')).toEqual({ kind: 'skip', reason: 'empty' });
  });

  it('counts forwarded packets (IN and OUT both set) as attempts', () => {
    expect(parse(head + tcp.replace('OUT=', 'OUT=eth1')).kind).toBe('event');
  });

  it('does not take PHYSIN= or a word ending in IN= for the IN= key', () => {
    const line = `${head}PHYSIN=eth9 SRC=192.0.2.1 DST=192.0.2.2 PROTO=UDP SPT=1 DPT=2`;
    expect(parse(line)).toEqual({ kind: 'malformed', reason: 'missing_in' });
    expect(parse(`${head}LOGIN=x SRC=192.0.2.1 PROTO=UDP DPT=2`)).toEqual({
      kind: 'malformed',
      reason: 'missing_in',
    });
  });

  it('reads the stamps: RFC 3339 Z and offsets, zone-less, epoch, classic with and without padding', () => {
    const ts = (stamp: string): number | string => {
      const r = parse(`${stamp} host kernel: ${tcp}`);
      return r.kind === 'event' ? r.event.ts : r.reason;
    };
    expect(ts('2024-02-29T10:00:00Z')).toBe(Date.UTC(2024, 1, 29, 10));
    expect(ts('2024-02-29T10:00:00.5-05:30')).toBe(Date.UTC(2024, 1, 29, 15, 30, 0, 500));
    expect(ts('2024-02-29T10:00:00+0100')).toBe(Date.UTC(2024, 1, 29, 9));
    expect(ts('2024-02-29 10:00:00')).toBe(Date.UTC(2024, 1, 29, 10));
    expect(ts('1700000000.25')).toBe(1_700_000_000_250);
    expect(ts('Feb  9 20:55:06')).toBe(Date.UTC(2023, 1, 9, 20, 55, 6));
    expect(ts('Mar 8 22:35:42')).toBe(Date.UTC(2023, 2, 8, 22, 35, 42));
    expect(ts('Dec 31 23:59:58.123')).toBe(Date.UTC(2023, 11, 31, 23, 59, 58, 123));
    expect(ts('Jan  1 00:00:05')).toBe(Date.UTC(2024, 0, 1, 0, 0, 5));
    expect(ts('garbage 99:99')).toBe(NOW); // unknown stamp: the read time
  });

  it('local zone follows the process zone for classic stamps', () => {
    const r = new IptablesParser({ timezone: 'local' }).parseLine(head + tcp, ctx);
    expect(r.kind === 'event' && r.event.ts).toBe(new Date(2023, 11, 31, 23, 59, 58).getTime());
  });

  it('gives the same result for a string and its bytes inside a larger buffer', () => {
    const p = new IptablesParser({ timezone: 'utc' });
    const line = head + tcp;
    const buf = Buffer.from(`junk\n${line}\nmore`);
    expect(p.parseBytes(buf, 5, 5 + Buffer.byteLength(line), ctx)).toEqual(p.parseLine(line, ctx));
  });

  it('returns fresh address strings (no view of the read buffer), reused for a repeated address', () => {
    const p = new IptablesParser({ timezone: 'utc' });
    const buf = Buffer.from(head + tcp);
    const a = p.parseBytes(buf, 0, buf.length, ctx);
    buf.fill(0x41);
    expect(a.kind === 'event' && a.event.src).toBe('203.0.113.9');
  });
});
