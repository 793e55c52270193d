/**
 * Unit cases of the DShield parser on lines written here after DShield's rsyslog template and the regexes of its
 * own reader (DShield.py `logtypesregex`: pi, aws, generic), for what the real fixtures do not show.
 */
import { describe, expect, it } from 'vitest';
import { DSHIELD_MALFORMED_REASONS, DshieldParser } from './parser.js';

const NOW = Date.UTC(2024, 5, 1, 12, 0, 0);
const parse = (line: string | Buffer, now = NOW) =>
  new DshieldParser({ timezone: 'utc' }).parseLine(line, { now });
const fields =
  'IN=eth0 OUT= MAC=06:a6:67:a1:06:97:06:47:24:e8:0b:15:08:00 SRC=198.51.100.7 DST=192.0.2.68 LEN=60 TOS=0x00 PREC=0x00 TTL=54 ID=44317 DF PROTO=TCP SPT=52094 DPT=22 WINDOW=64240 RES=0x00 SYN URGP=0 ';
const pi = `1706444170 BigDshield kernel:[81460.043473]  DSHIELDINPUT ${fields}`;
const want = {
  ts: 1706444170000,
  proto: 'tcp',
  port: 22,
  src: '198.51.100.7',
  sport: 52094,
  dst: '192.0.2.68',
  flags: 'S',
};

describe('DshieldParser: the shapes fwlogparser.py reads', () => {
  it('pi: epoch, host, kernel:[uptime], DSHIELDINPUT; the epoch seconds are the time', () => {
    expect(parse(pi)).toEqual({ kind: 'event', event: want });
    expect(parse(pi.replace('[81460.043473]', '[   85.240100]'))).toEqual({ kind: 'event', event: want });
  });

  it('aws: epoch, host, "kernel: DSHIELDINPUT"', () => {
    expect(parse(`1706444170 ip-172-31-5-68 kernel: DSHIELDINPUT ${fields}`)).toEqual({
      kind: 'event',
      event: want,
    });
  });

  it('generic: a classic syslog stamp and any netfilter line, prefix or not', () => {
    const ts = Date.UTC(2024, 1, 5, 6, 12, 44);
    for (const prefix of ['DSHIELDINPUT ', '[UFW BLOCK] ', ''])
      expect(parse(`Feb  5 06:12:44 sensor kernel: [ 1072.541434] ${prefix}${fields}`)).toEqual({
        kind: 'event',
        event: { ...want, ts },
      });
  });

  it('epoch with a fraction, and an RFC 3339 stamp with the prefix (rsyslog default template)', () => {
    expect(parse(pi.replace('1706444170 ', '1706444170.25 '))).toMatchObject({
      event: { ts: 1706444170250 },
    });
    expect(parse(`2024-02-05T06:12:44.5+01:00 sensor kernel: DSHIELDINPUT ${fields}`)).toMatchObject({
      event: { ts: Date.UTC(2024, 1, 5, 5, 12, 44, 500) },
    });
  });

  it('UDP, ICMP, IPv6 through the netfilter field reader', () => {
    const udp = fields.replace(/PROTO=TCP.*/, 'PROTO=UDP SPT=35622 DPT=161 LEN=42 ');
    expect(parse(`1707111167 h kernel: DSHIELDINPUT ${udp}`)).toMatchObject({
      event: { proto: 'udp', port: 161, sport: 35622, flags: undefined },
    });
    const icmp = fields.replace(/PROTO=TCP.*/, 'PROTO=ICMP TYPE=8 CODE=0 ID=1 SEQ=1 ');
    expect(parse(`1707111167 h kernel: DSHIELDINPUT ${icmp}`)).toMatchObject({
      event: { proto: 'icmp', port: 8 },
    });
    const six = fields
      .replace(
        'SRC=198.51.100.7 DST=192.0.2.68',
        'SRC=2001:0db8:0000:0000:0000:0000:0000:0007 DST=2001:0db8::68',
      )
      .replace(/PROTO=TCP.*/, 'PROTO=ICMPv6 TYPE=128 CODE=0 ID=1 SEQ=1 ');
    expect(parse(`1707111167 h kernel: DSHIELDINPUT ${six}`)).toMatchObject({
      event: { proto: 'icmp6', port: 128, src: '2001:db8::7', dst: '2001:db8::68' },
    });
  });
});

describe('DshieldParser: skips and refusals', () => {
  it.each([
    ['not_firewall', '1706444170 BigDshield sshd[1]: Accepted publickey for root'],
    ['not_firewall', `1706444170 BigDshield kernel: [UFW BLOCK] ${fields}`], // epoch lines need the prefix
    ['not_firewall', 'Feb  5 06:12:44 sensor cron[9]: (root) CMD (run-parts /etc/cron.hourly)'],
    ['not_firewall', 'plain text'],
    ['outbound', pi.replace('IN=eth0 OUT=', 'IN= OUT=eth0')],
    ['loopback', pi.replace('IN=eth0', 'IN=lo')],
    ['empty', ''],
    ['empty', '\r\n'],
  ])('skip %s', (reason, line) => {
    expect(parse(line)).toEqual({ kind: 'skip', reason });
  });

  it.each([
    ['bad_time', pi.replace('1706444170 ', '170644417 ')],
    ['bad_time', pi.replace('1706444170 ', '17064441700 ')],
    ['bad_time', pi.replace('1706444170 ', 'yesterday ')],
    ['bad_time', pi.replace('1706444170 BigDshield ', '')],
    ['missing_in', '1706444170 BigDshield kernel:[81460.043473]  DSHIELDINPUT'],
    ['missing_in', pi.replace('IN=eth0 ', 'XX=eth0 ')],
    ['missing_src', pi.replace('SRC=198.51.100.7 ', '')],
    ['bad_src', pi.replace('SRC=198.51.100.7', 'SRC=198.51.100.700')],
    ['bad_port', pi.replace('DPT=22', 'DPT=70000')],
    ['missing_dpt', pi.replace('DPT=22 ', '')],
    ['bad_proto', pi.replace('PROTO=TCP', 'PROTO=WAT')],
  ])('refuses %s', (reason, line) => {
    expect(parse(line)).toEqual({ kind: 'malformed', reason });
    expect(DSHIELD_MALFORMED_REASONS).toContain(reason);
  });

  it('CRLF endings, truncated lines, a huge line, bytes from a shared buffer', () => {
    expect(parse(`${pi}\r\n`)).toEqual({ kind: 'event', event: want });
    for (let n = 0; n <= pi.length; n++) {
      const r = parse(pi.slice(0, n));
      if (r.kind === 'malformed') expect(DSHIELD_MALFORMED_REASONS).toContain(r.reason);
    }
    const huge = `${pi}OPT (${'01'.repeat(100_000)})`;
    expect(parse(huge)).toEqual({ kind: 'event', event: want });
    const buf = Buffer.from(`${pi}\n${pi.replace('DPT=22', 'DPT=23')}\n`);
    const p = new DshieldParser({ timezone: 'utc' });
    const a = p.parseBytes(buf, 0, pi.length, { now: NOW });
    const b = p.parseBytes(buf, pi.length + 1, buf.length - 1, { now: NOW });
    expect([a, b].map((r) => (r.kind === 'event' ? r.event.port : r.kind))).toEqual([22, 23]);
  });

  it('reads nothing past the end it is given, whatever byte follows (every prefix of a few lines)', () => {
    const p = new DshieldParser({ timezone: 'utc' });
    const ctx = { now: NOW };
    for (const line of [pi, `Feb  5 06:12:44 sensor kernel: [ 1.5] ${fields}`]) {
      const bytes = Buffer.from(line);
      for (let n = 0; n <= bytes.length; n++) {
        const alone = p.parseBytes(Buffer.from(bytes.subarray(0, n)), 0, n, ctx);
        for (const tail of [' ', '|', ',', '>', ':', '(', '[', ']', '1', '<', '=']) {
          const joined = Buffer.concat([bytes.subarray(0, n), Buffer.from(tail)]);
          expect(p.parseBytes(joined, 0, n, ctx)).toEqual(alone);
        }
      }
    }
  });
});
