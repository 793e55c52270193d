/**
 * Unit cases of the cowrie JSON and text parsers on lines written here after cowrie's formats, for what the real
 * fixtures do not show: IPv6, mapped addresses, refused lines, prefixes, CRLF, escapes, huge lines.
 */
import { describe, expect, it } from 'vitest';
import { CowrieJsonParser, CowrieTextParser } from './index.js';

const ctx = { now: Date.UTC(2024, 5, 1) };
const connect = {
  eventid: 'cowrie.session.connect',
  src_ip: '198.51.100.23',
  src_port: 46966,
  dst_ip: '192.0.2.68',
  dst_port: 2222,
  session: '76647820c016',
  protocol: 'ssh',
  message: 'New connection: 198.51.100.23:46966 (192.0.2.68:2222) [session: 76647820c016]',
  sensor: '',
  timestamp: '2024-01-26T21:59:42.976396Z',
};
const json = (patch: Record<string, unknown> = {}): string => JSON.stringify({ ...connect, ...patch });
const parse = (line: string | Buffer) => new CowrieJsonParser().parseLine(line, ctx);
const text = (line: string, tz: 'utc' | 'local' = 'utc') =>
  new CowrieTextParser({ timezone: tz }).parseLine(line, ctx);

describe('CowrieJsonParser', () => {
  it('reads a session start', () => {
    expect(parse(json())).toEqual({
      kind: 'event',
      event: {
        ts: Date.UTC(2024, 0, 26, 21, 59, 42, 976),
        proto: 'tcp',
        port: 2222,
        src: '198.51.100.23',
        sport: 46966,
        dst: '192.0.2.68',
        handshake: true,
      },
    });
  });

  it('IPv6 and IPv4-mapped addresses come out canonical; mapped ones as IPv4', () => {
    expect(parse(json({ src_ip: '2001:DB8:0:0:0:0:0:7', dst_ip: '2001:db8::0:2' }))).toMatchObject({
      event: { src: '2001:db8::7', dst: '2001:db8::2' },
    });
    expect(parse(json({ src_ip: '::ffff:198.51.100.126', dst_ip: '::ffff:192.0.2.144' }))).toMatchObject({
      event: { src: '198.51.100.126', dst: '192.0.2.144' },
    });
  });

  it('every other cowrie event is not an attempt; JSON of another program is not_firewall', () => {
    for (const id of [
      'cowrie.session.closed',
      'cowrie.login.failed',
      'cowrie.command.input',
      'cowrie.client.kex',
    ])
      expect(parse(json({ eventid: id }))).toEqual({ kind: 'skip', reason: 'not_attempt' });
    expect(parse('{"event_type":"flow","src_ip":"198.51.100.1"}')).toEqual({
      kind: 'skip',
      reason: 'not_firewall',
    });
    expect(parse(json({ eventid: 'kippo.session.connect' }))).toEqual({
      kind: 'skip',
      reason: 'not_firewall',
    });
    expect(parse(json({ eventid: 7 }))).toEqual({ kind: 'skip', reason: 'not_firewall' });
  });

  it.each([
    ['missing_src', { src_ip: undefined }],
    ['missing_src', { src_ip: '' }],
    ['bad_src', { src_ip: '198.51.100.256' }],
    ['bad_src', { src_ip: 3325256707 }],
    ['missing_port', { dst_port: undefined }],
    ['missing_port', { dst_port: null }],
    ['bad_port', { dst_port: 65536 }],
    ['bad_port', { dst_port: 22.5 }],
    ['bad_port', { dst_port: [22] }],
    ['bad_port', { src_port: 'x' }],
    ['bad_dst', { dst_ip: 'honeypot.example' }],
    ['missing_time', { timestamp: undefined }],
    ['missing_time', { timestamp: null }],
    ['bad_time', { timestamp: 'yesterday' }],
    ['bad_time', { timestamp: '2024-13-01T00:00:00Z' }],
  ])('refuses %s without throwing (%j)', (reason, patch) => {
    expect(parse(json(patch))).toEqual({ kind: 'malformed', reason });
  });

  it('ports written as strings and an absent source port are accepted', () => {
    expect(parse(json({ dst_port: '23', src_port: undefined }))).toMatchObject({
      event: { port: 23, sport: undefined },
    });
    expect(parse(json({ dst_ip: undefined }))).toMatchObject({ event: { dst: undefined } });
  });

  it('a loopback source is skipped', () => {
    expect(parse(json({ src_ip: '127.0.0.1' }))).toEqual({ kind: 'skip', reason: 'loopback' });
    expect(parse(json({ src_ip: '::1' }))).toEqual({ kind: 'skip', reason: 'loopback' });
  });

  it('truncated and broken JSON is bad_json; blank and comment lines are skipped', () => {
    const line = json();
    for (const cut of [1, 10, 100, line.length - 1])
      expect(parse(line.slice(0, cut))).toMatchObject({ kind: 'malformed', reason: 'bad_json' });
    expect(parse(`${line} trailing`)).toEqual({ kind: 'malformed', reason: 'bad_json' });
    expect(parse(line.replace('"src_port":46966', '"src_port":046966'))).toEqual({
      kind: 'malformed',
      reason: 'bad_json',
    });
    expect(parse('   ')).toEqual({ kind: 'skip', reason: 'empty' });
    expect(parse('# comment {"eventid":"cowrie.session.connect"}')).toEqual({
      kind: 'skip',
      reason: 'header',
    });
  });

  it('CRLF endings, odd spacing and a syslog prefix', () => {
    const want = parse(json());
    expect(parse(`${json()}\r\n`)).toEqual(want);
    expect(parse(`  ${json().replaceAll(',"', ' ,\t"').replaceAll('":', '" : ')}  `)).toEqual(want);
    expect(parse(`Jan 26 21:59:43 hp cowrie[812]: ${json()}`)).toEqual(want);
    expect(parse('Jan 26 21:59:43 hp cowrie[812]: {"unterminated')).toEqual({
      kind: 'skip',
      reason: 'not_firewall',
    });
  });

  it('escaped strings and duplicate keys read as JSON.parse reads them', () => {
    const escaped = json().replace('"src_ip":"198.51.100.23"', '"src\\u005fip":"198.51.100.\\u00323"');
    expect(parse(escaped)).toMatchObject({ event: { src: '198.51.100.23' } });
    const dup = json().replace('"dst_port":2222', '"dst_port":2222,"dst_port":22');
    expect(parse(dup)).toMatchObject({ event: { port: (JSON.parse(dup) as { dst_port: number }).dst_port } });
    expect(parse(json({ message: 'a "quoted" \\ message {with} [brackets] \u00e9' }))).toMatchObject({
      kind: 'event',
    });
  });

  it('a huge line (1 MiB message) is read, and a deep one refused', () => {
    expect(parse(json({ message: 'x'.repeat(1 << 20) }))).toMatchObject({ kind: 'event' });
    const deep = `{"a":${'['.repeat(100)}${']'.repeat(100)},${json().slice(1)}`;
    expect(parse(deep)).toEqual({ kind: 'malformed', reason: 'bad_json' });
    const nested = `{"a":${'['.repeat(30)}${']'.repeat(30)},${json().slice(1)}`;
    expect(parse(nested)).toMatchObject({ kind: 'event' });
  });

  it('gives the same result for a string and its bytes inside a larger buffer, and keeps nothing of it', () => {
    const p = new CowrieJsonParser();
    const line = json();
    const buf = Buffer.from(`junk\n${line}\n{"more":1}`);
    const r = p.parseBytes(buf, 5, 5 + Buffer.byteLength(line), ctx);
    expect(r).toEqual(p.parseLine(line, ctx));
    buf.fill(0x41);
    expect(r).toMatchObject({ event: { src: '198.51.100.23', dst: '192.0.2.68' } });
  });
});

describe('CowrieTextParser', () => {
  const ssh =
    '2024-01-26T21:59:42.976396Z [cowrie.ssh.factory.CowrieSSHFactory] New connection: 198.51.100.23:46966 (192.0.2.68:2222) [session: 76647820c016]';

  it('reads a session start with its stamp', () => {
    expect(text(ssh)).toEqual({
      kind: 'event',
      event: {
        ts: Date.UTC(2024, 0, 26, 21, 59, 42, 976),
        proto: 'tcp',
        port: 2222,
        src: '198.51.100.23',
        sport: 46966,
        dst: '192.0.2.68',
        handshake: true,
      },
    });
  });

  it('telnet with IPv4-mapped addresses and a -0400 offset (cowrie on a dual-stack socket)', () => {
    const line =
      '2016-08-31T08:31:10-0400 [cowrie.telnet.transport.HoneyPotTelnetFactory] New connection: ::ffff:192.168.1.126:52034 (::ffff:192.168.1.144:2223) [session: 1]';
    expect(text(line)).toEqual({
      kind: 'event',
      event: {
        ts: Date.UTC(2016, 7, 31, 12, 31, 10),
        proto: 'tcp',
        port: 2223,
        src: '192.168.1.126',
        sport: 52034,
        dst: '192.168.1.144',
        handshake: true,
      },
    });
  });

  it('IPv6 addresses split at the last colon; kippo-era system names', () => {
    const line =
      '2015-03-01T10:00:00+0000 [kippo.core.honeypot.HoneyPotSSHFactory] New connection: 2001:db8:0:0::7:41000 (2001:db8::2:22) [session: 9]';
    expect(text(line)).toMatchObject({
      event: { src: '2001:db8::7', sport: 41000, dst: '2001:db8::2', port: 22 },
    });
  });

  it('a stamp without a zone follows the configured zone', () => {
    const line = ssh.replace('42.976396Z', '42.976396');
    expect(text(line)).toMatchObject({ event: { ts: Date.UTC(2024, 0, 26, 21, 59, 42, 976) } });
    expect(text(line, 'local')).toMatchObject({
      event: { ts: new Date(2024, 0, 26, 21, 59, 42, 976).getTime() },
    });
  });

  it('syslog prefixes, CRLF, trailing spaces', () => {
    const want = text(ssh);
    expect(text(`Jan 26 21:59:43 hp cowrie[2806]: ${ssh}`)).toEqual(want);
    expect(text(`<30>1 2024-01-26T21:59:43Z hp cowrie 2806 - - ${ssh}`)).toEqual({
      kind: 'skip',
      reason: 'not_firewall',
    });
    expect(text(`${ssh}\r\n`)).toEqual(want);
    expect(text(`${ssh}   `)).toEqual(want);
  });

  it('other cowrie lines are not attempts; other programs are not_firewall', () => {
    expect(
      text(
        '2024-01-26T21:59:44.861131Z [HoneyPotSSHTransport,3,198.51.100.23] Connection lost after 1 seconds',
      ),
    ).toEqual({
      kind: 'skip',
      reason: 'not_attempt',
    });
    expect(text('2024-01-26T21:59:44.861131Z [-] Reading configuration')).toEqual({
      kind: 'skip',
      reason: 'not_attempt',
    });
    expect(text('Jan 26 21:59:43 hp sshd[1]: Accepted publickey for root from 198.51.100.1 port 22')).toEqual(
      {
        kind: 'skip',
        reason: 'not_firewall',
      },
    );
    expect(text('2024-01-26T21:59:43.000Z hp sshd[1]: message')).toEqual({
      kind: 'skip',
      reason: 'not_firewall',
    });
    expect(text('')).toEqual({ kind: 'skip', reason: 'empty' });
  });

  it.each([
    ['bad_src', 'New connection: 198.51.100.300:46966 (192.0.2.68:2222) [session: a]'],
    ['bad_src', 'New connection: nocolon (192.0.2.68:2222) [session: a]'],
    ['bad_port', 'New connection: 198.51.100.23:99999 (192.0.2.68:2222) [session: a]'],
    ['bad_port', 'New connection: 198.51.100.23:46966 (192.0.2.68:22x) [session: a]'],
    ['bad_dst', 'New connection: 198.51.100.23:46966 (192.0.2:2222) [session: a]'],
    ['missing_port', 'New connection: 198.51.100.23:46966'],
    ['missing_port', 'New connection: 198.51.100.23:46966 (192.0.2.68:2222'],
  ])('refuses %s: %s', (reason, message) => {
    expect(text(`2024-01-26T21:59:42Z [cowrie.ssh.factory.CowrieSSHFactory] ${message}`)).toEqual({
      kind: 'malformed',
      reason,
    });
  });

  it('truncated lines never throw and are never events unless complete', () => {
    for (let cut = 0; cut < ssh.length; cut++) {
      const r = text(ssh.slice(0, cut));
      if (cut < ssh.indexOf(')') + 1) expect(r.kind).not.toBe('event');
    }
  });

  it('a loopback source is skipped', () => {
    expect(text(ssh.replace('198.51.100.23:46966', '127.0.0.1:46966'))).toEqual({
      kind: 'skip',
      reason: 'loopback',
    });
  });
});
