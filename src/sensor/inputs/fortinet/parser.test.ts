/**
 * Unit cases of the FortiGate parser on lines written here after the FortiOS Log Message Reference, for what the
 * real fixtures do not show: IPv6, time units and zones, direction rules, refused lines, odd input.
 */
import { describe, expect, it } from 'vitest';
import { FortinetParser } from './parser.js';

const NOW = Date.UTC(2024, 5, 1);
const ctx = { now: NOW };
const parse = (line: string | Buffer, zone: 'utc' | 'local' = 'utc') =>
  new FortinetParser({ timezone: zone }).parseLine(line, ctx);

const head =
  'date=2024-05-13 time=11:20:54 logid="0000000013" type="traffic" subtype="forward" level="notice" vd="root"';
const tail =
  'srcip=203.0.113.7 srcport=51824 srcintf="port1" srcintfrole="wan" dstip=198.51.100.10 dstport=3389 dstintf="port2" dstintfrole="lan" sessionid=2216 proto=6 action="deny" policyid=0 policytype="policy" service="RDP" duration=0 sentbyte=0';
const line = (mid = 'eventtime=1715599254845732410 tz="-0700"', rest = tail): string =>
  `${head} ${mid} ${rest}`;

describe('FortinetParser', () => {
  it('reads a forward deny from a wan interface: ns eventtime, ports, no handshake', () => {
    expect(parse(line())).toEqual({
      kind: 'event',
      event: {
        ts: 1715599254845,
        proto: 'tcp',
        port: 3389,
        src: '203.0.113.7',
        sport: 51824,
        dst: '198.51.100.10',
        flags: undefined,
        handshake: false,
      },
    });
  });

  it('eventtime in s, ms, us and ns; without it date+time with tz, or the configured zone', () => {
    const ts = (mid: string, zone: 'utc' | 'local' = 'utc'): unknown => {
      const r = parse(line(mid), zone);
      return r.kind === 'event' ? r.event.ts : r;
    };
    expect(ts('eventtime=1715599254')).toBe(1715599254000);
    expect(ts('eventtime=1715599254845')).toBe(1715599254845);
    expect(ts('eventtime=1715599254845732')).toBe(1715599254845);
    expect(ts('eventtime=1715599254845732410')).toBe(1715599254845);
    expect(ts('tz="+0200"')).toBe(Date.UTC(2024, 4, 13, 9, 20, 54));
    expect(ts('tz="-07:00"')).toBe(Date.UTC(2024, 4, 13, 18, 20, 54));
    expect(ts('tz="UTC+2"')).toBe(Date.UTC(2024, 4, 13, 9, 20, 54));
    expect(ts('devid="x"')).toBe(Date.UTC(2024, 4, 13, 11, 20, 54));
    expect(ts('devid="x"', 'local')).toBe(new Date(2024, 4, 13, 11, 20, 54).getTime());
    // No date, time nor eventtime: the syslog header's stamp.
    const bare = `<189>Mar 22 19:21:00 fw01 logid=0000000013 type=traffic subtype=forward ${tail}`;
    expect(parse(bare)).toMatchObject({ event: { ts: Date.UTC(2024, 2, 22, 19, 21, 0) } });
  });

  it('IPv6 addresses come out RFC 5952; ICMPv6 takes its type from the service', () => {
    const v6 = line(
      'eventtime=1715599254',
      tail
        .replace('203.0.113.7', '2001:DB8:0:0:0:0:0:7')
        .replace('198.51.100.10', '2001:0db8::a')
        .replace('proto=6', 'proto=58')
        .replace('service="RDP"', 'service="icmp6/128/0"'),
    );
    expect(parse(v6)).toMatchObject({
      kind: 'event',
      event: { proto: 'icmp6', port: 128, src: '2001:db8::7', dst: '2001:db8::a', sport: undefined },
    });
  });

  it('ICMP type from icmptype (hex), service icmp/T/C, FortiOS 4 T/icmp, or PING', () => {
    const icmp = (svc: string): unknown => {
      const r = parse(
        line('eventtime=1715599254', tail.replace('proto=6', 'proto=1').replace('service="RDP"', svc)),
      );
      return r.kind === 'event' ? r.event.port : r.reason;
    };
    expect(icmp('icmptype="0x0d" service="x"')).toBe(13);
    expect(icmp('service="icmp/8/0"')).toBe(8);
    expect(icmp('service="3/icmp"')).toBe(3);
    expect(icmp('service="PING"')).toBe(8);
    expect(icmp('service="ALL_ICMP"')).toBe('missing_icmp_type');
    expect(icmp('icmptype="0x1ff"')).toBe('bad_icmp_type');
  });

  it('other protocols key on their number', () => {
    expect(parse(line('eventtime=1715599254', tail.replace('proto=6', 'proto=47')))).toMatchObject({
      event: { proto: 'other', port: 47, sport: undefined },
    });
  });

  it('direction from interface roles; local traffic of the box itself is outbound', () => {
    const dir = (rest: string): string => {
      const r = parse(line('eventtime=1715599254', rest));
      return r.kind === 'event' ? 'event' : r.reason;
    };
    expect(dir(tail.replace('srcintfrole="wan"', 'srcintfrole="lan"'))).toBe('outbound');
    expect(dir(tail.replace('srcintfrole="wan"', 'srcintfrole="dmz"'))).toBe('outbound');
    expect(dir(tail.replace('srcintfrole="wan"', 'srcintfrole="undefined"'))).toBe('event');
    expect(
      dir(
        tail
          .replace('srcintfrole="wan"', 'srcintfrole="undefined"')
          .replace('dstintfrole="lan"', 'dstintfrole="wan"'),
      ),
    ).toBe('outbound');
    const local = (intf: string, policy: string): string => {
      const r = parse(
        `${head.replace('forward', 'local')} eventtime=1715599254 ${tail
          .replace('srcintf="port1" srcintfrole="wan"', `srcintf="${intf}" srcintfrole="undefined"`)
          .replace('dstintfrole="lan"', 'dstintfrole="undefined"')
          .replace('policytype="policy"', `policytype="${policy}"`)}`,
      );
      return r.kind === 'event' ? 'event' : r.reason;
    };
    expect(local('root', 'local-out')).toBe('outbound'); // srcintf is the VDOM: the FortiGate's own traffic
    expect(local('unknown-0', 'policy')).toBe('outbound');
    expect(local('port1', 'local-in-policy')).toBe('event');
    expect(local('root', 'local-in-policy')).toBe('event');
  });

  it('session start records, UTM and events are not attempts; foreign lines are not_firewall', () => {
    expect(parse(line('eventtime=1715599254', tail.replace('action="deny"', 'action="start"')))).toEqual({
      kind: 'skip',
      reason: 'not_attempt',
    });
    expect(parse(line().replace('type="traffic" subtype="forward"', 'type="utm" subtype="ips"'))).toEqual({
      kind: 'skip',
      reason: 'not_attempt',
    });
    expect(parse('type=SYSCALL msg=audit(1700000000.123:42): arch=c000003e syscall=59 success=yes')).toEqual({
      kind: 'skip',
      reason: 'not_firewall',
    });
    expect(parse('CEF:0|Ubiquiti|UniFi|7|1|x|5|src=203.0.113.1 dst=192.0.2.1 spt=1 dpt=22 proto=6')).toEqual({
      kind: 'skip',
      reason: 'not_firewall',
    });
    expect(parse('')).toEqual({ kind: 'skip', reason: 'empty' });
    expect(parse(' \r\n')).toEqual({ kind: 'skip', reason: 'empty' });
  });

  it.each([
    ['missing_src', tail.replace('srcip=203.0.113.7 ', '')],
    ['bad_src', tail.replace('srcip=203.0.113.7', 'srcip=203.0.113.700')],
    ['bad_dst', tail.replace('dstip=198.51.100.10', 'dstip=example.com')],
    ['missing_proto', tail.replace('proto=6 ', '')],
    ['bad_proto', tail.replace('proto=6', 'proto=600')],
    ['missing_port', tail.replace('dstport=3389 ', '')],
    ['bad_port', tail.replace('dstport=3389', 'dstport=70000')],
    ['bad_port', tail.replace('srcport=51824', 'srcport=x')],
  ])('refuses %s without throwing', (reason, rest) => {
    expect(parse(line('eventtime=1715599254', rest))).toEqual({ kind: 'malformed', reason });
  });

  it('refuses records without a usable time', () => {
    const noTime = `logid="0000000013" type="traffic" subtype="forward" ${tail}`;
    expect(parse(noTime)).toEqual({ kind: 'malformed', reason: 'missing_time' });
    expect(parse(line('devid="x"').replace('2024-05-13', '2024-13-01'))).toEqual({
      kind: 'malformed',
      reason: 'bad_time',
    });
    expect(parse(line('devid="x"').replace('11:20:54', '11:20'))).toEqual({
      kind: 'malformed',
      reason: 'bad_time',
    });
  });

  it('CEF: prefixed Fortinet keys, values with spaces, quoted values, time from start= and tz', () => {
    const cef =
      'CEF:0|Fortinet|Fortigate|v7.2.8|00013|traffic:forward deny|3|start=May 13 2024 11:20:54 FTNTFGTtz=+0200 FTNTFGTlogid=0000000013 cat=traffic:forward FTNTFGTsubtype=forward FTNTFGTvd=root src=203.0.113.7 spt=51824 deviceInboundInterface=WAN LINK 1 FTNTFGTsrcintfrole=wan dst=198.51.100.10 dpt=22 proto=6 act=deny msg="a = b"';
    expect(parse(cef)).toEqual({
      kind: 'event',
      event: {
        ts: Date.UTC(2024, 4, 13, 9, 20, 54),
        proto: 'tcp',
        port: 22,
        src: '203.0.113.7',
        sport: 51824,
        dst: '198.51.100.10',
        flags: undefined,
        handshake: false,
      },
    });
    expect(parse(`<134>May 13 11:20:55 fw ${cef}`)).toEqual(parse(cef));
  });

  it('odd spacing, CRLF, escaped quotes, a Buffer and huge lines', () => {
    const want = parse(line());
    expect(parse(`  ${line().replace(/ (?=\w+=)/g, '   ')}\r\n`)).toEqual(want);
    expect(parse(Buffer.from(`${line()}\n`))).toEqual(want);
    expect(parse(line('msg="say \\"hi\\" srcip=192.0.2.99" eventtime=1715599254845732410'))).toEqual(want);
    expect(parse(`${line()} pad="${'z'.repeat(200_000)}"`)).toEqual(want);
    expect(parse(`x=${'y'.repeat(300_000)}`)).toEqual({ kind: 'skip', reason: 'not_firewall' });
  });
});
