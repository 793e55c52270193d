/**
 * Unit cases of the Junos parser on lines written here after the Junos System Log Messages Reference, for what the
 * real fixtures do not show: IPv6, ICMP, screens of each kind, refused lines, odd spacing, line ends, huge lines.
 */
import { describe, expect, it } from 'vitest';
import { JuniperParser } from './parser.js';

const NOW = Date.UTC(2024, 5, 1);
const ctx = { now: NOW };
const parse = (line: string | Buffer, opts = {}) =>
  new JuniperParser({ timezone: 'utc', ...opts }).parseLine(line, ctx);

const classic = (msg: string): string => `Mar  3 10:15:02 srx-1 RT_FLOW: ${msg}`;
const deny = classic(
  'RT_FLOW_SESSION_DENY: session denied 203.0.113.9/54924->192.0.2.1/23 junos-telnet 6(0) default-deny(global) untrust trust UNKNOWN UNKNOWN N/A(N/A) ge-0/0/0.0 UNKNOWN policy deny',
);
const sd = (id: string, params: string): string =>
  `<14>1 2024-03-01T10:00:00.250+01:00 srx-1 RT_FLOW - ${id} [junos@2636.1.1.1.2.129 ${params}]`;
const flow =
  'source-address="198.51.100.4" source-port="51234" destination-address="192.0.2.10" destination-port="443" service-name="junos-https" protocol-id="6" icmp-type="0" policy-name="p" source-zone-name="untrust" destination-zone-name="dmz"';

describe('JuniperParser', () => {
  it('reads a classic deny: tuple, protocol(icmp-type), stamp in the configured zone', () => {
    expect(parse(deny)).toEqual({
      kind: 'event',
      event: {
        ts: Date.UTC(2024, 2, 3, 10, 15, 2),
        proto: 'tcp',
        port: 23,
        src: '203.0.113.9',
        sport: 54924,
        dst: '192.0.2.1',
        flags: undefined,
        handshake: false,
      },
    });
    const local = new JuniperParser({ timezone: 'local' }).parseLine(deny, ctx);
    expect(local).toMatchObject({ event: { ts: new Date(2024, 2, 3, 10, 15, 2).getTime() } });
  });

  it('reads RFC 5424 structured data with <PRI>1, fraction and offset', () => {
    expect(parse(sd('RT_FLOW_SESSION_CREATE', flow))).toEqual({
      kind: 'event',
      event: {
        ts: Date.UTC(2024, 2, 1, 9, 0, 0, 250),
        proto: 'tcp',
        port: 443,
        src: '198.51.100.4',
        sport: 51234,
        dst: '192.0.2.10',
        flags: undefined,
        handshake: undefined,
      },
    });
  });

  it('IPv6: classic tuples, fully expanded structured addresses and screen address:port come out RFC 5952', () => {
    const c = classic(
      'RT_FLOW_SESSION_CREATE: session created 2001:db8::1/51234->2001:DB8:0:0::2/22 0x0 junos-ssh 2001:db8::1/51234->2001:db8::2/22 0x0 N/A N/A N/A N/A 6 allow-ssh untrust trust 4242 N/A(N/A) ge-0/0/0.0',
    );
    expect(parse(c)).toMatchObject({
      kind: 'event',
      event: { proto: 'tcp', port: 22, src: '2001:db8::1', sport: 51234, dst: '2001:db8::2' },
    });
    const full = flow
      .replace('198.51.100.4', '2001:0db8:0000:0000:0000:0000:0000:0001')
      .replace('192.0.2.10', '2001:0db8:0000:0000:0000:0000:0000:0002');
    expect(parse(sd('RT_FLOW_SESSION_DENY', full))).toMatchObject({
      event: { src: '2001:db8::1', dst: '2001:db8::2' },
    });
    const winnuke =
      'Mar  3 10:15:02 srx-1 RT_IDS: RT_SCREEN_TCP: WinNuke attack! source: 2000:0:0:0:0:0:0:2:3240, destination: 2001:0:0:0:0:0:0:2:139, zone name: untrust, interface name: fe-0/0/2.0';
    expect(parse(winnuke)).toMatchObject({
      kind: 'event',
      event: { proto: 'tcp', port: 139, src: '2000::2', sport: 3240, dst: '2001::2' },
    });
  });

  it('ICMP: the type in parentheses or icmp-type; a ping create is an echo request; other creates are not keyed', () => {
    const icmpDeny = deny.replace('6(0)', '1(8)').replace('/54924', '/0').replace('/23 ', '/2048 ');
    expect(parse(icmpDeny)).toMatchObject({
      kind: 'event',
      event: { proto: 'icmp', port: 8, sport: undefined },
    });
    const v6Deny = sd(
      'RT_FLOW_SESSION_DENY',
      'source-address="2001:db8::9" destination-address="2001:db8::1" protocol-id="58" icmp-type="128" source-zone-name="untrust"',
    );
    expect(parse(v6Deny)).toMatchObject({ kind: 'event', event: { proto: 'icmp6', port: 128 } });
    const ping = sd(
      'RT_FLOW_SESSION_CREATE',
      'source-address="203.0.113.1" destination-address="192.0.2.1" service-name="junos-ping" protocol-id="1"',
    );
    expect(parse(ping)).toMatchObject({ kind: 'event', event: { proto: 'icmp', port: 8 } });
    expect(parse(ping.replace('junos-ping', 'junos-icmp-all'))).toEqual({
      kind: 'skip',
      reason: 'not_attempt',
    });
    expect(parse(icmpDeny.replace('1(8)', '1(300)'))).toEqual({ kind: 'malformed', reason: 'bad_icmp_type' });
  });

  it('other protocols key on the protocol number; logical-system (_LS) messages count too', () => {
    const gre = sd(
      'RT_FLOW_SESSION_DENY_LS',
      'source-address="203.0.113.1" destination-address="192.0.2.1" protocol-id="47" source-zone-name="untrust"',
    );
    expect(parse(gre)).toMatchObject({
      kind: 'event',
      event: { proto: 'other', port: 47, sport: undefined },
    });
  });

  it('screens: TCP/UDP by port, ICMP echo floods and sweeps, IP screens of other protocols; the rest not keyed', () => {
    const udp =
      'Mar  3 10:15:02 srx-1 RT_IDS: RT_SCREEN_UDP: UDP flood! source: 203.0.113.5:5353, destination: 192.0.2.7:53, zone name: untrust, interface name: ge-0/0/0.0, action: drop';
    expect(parse(udp)).toMatchObject({ kind: 'event', event: { proto: 'udp', port: 53, sport: 5353 } });
    const screen = (id: string, params: string): string =>
      `Mar  3 10:15:02 srx-1 RT_IDS - ${id} [junos@2636.1.1.1.2.129 ${params} source-zone-name="untrust" interface-name="ge-0/0/0.0" action="drop"]`;
    const icmp = (name: string): string =>
      screen(
        'RT_SCREEN_ICMP',
        `attack-name="${name}" source-address="203.0.113.5" destination-address="192.0.2.7"`,
      );
    expect(parse(icmp('ICMP flood!'))).toMatchObject({ kind: 'event', event: { proto: 'icmp', port: 8 } });
    expect(parse(icmp('Ping of Death!'))).toMatchObject({ kind: 'event', event: { proto: 'icmp', port: 8 } });
    expect(parse(icmp('ICMP fragment!'))).toEqual({ kind: 'skip', reason: 'not_attempt' });
    const ip = (proto: string): string =>
      screen(
        'RT_SCREEN_IP',
        `attack-name="Unknown protocol!" source-address="203.0.113.5" destination-address="192.0.2.7" protocol-id="${proto}"`,
      );
    expect(parse(ip('137'))).toMatchObject({ kind: 'event', event: { proto: 'other', port: 137 } });
    expect(parse(ip('6'))).toEqual({ kind: 'skip', reason: 'not_attempt' });
    expect(parse(ip('x'))).toEqual({ kind: 'malformed', reason: 'bad_proto' });
    const limit = screen(
      'RT_SCREEN_SESSION_LIMIT',
      'attack-name="Src IP session limit!" source-address="203.0.113.5" destination-address="192.0.2.7"',
    );
    expect(parse(limit)).toEqual({ kind: 'skip', reason: 'not_attempt' });
  });

  it.each([
    ['missing_tuple', classic('RT_FLOW_SESSION_CREATE: session created')],
    ['bad_dst', classic('RT_FLOW_SESSION_CREATE: session created 203.0.113.9/54924->192.0')],
    [
      'missing_port',
      classic('RT_FLOW_SESSION_CREATE: session created 203.0.113.9/54924->192.0.2.1 x 6 p a b'),
    ],
    ['bad_src', sd('RT_FLOW_SESSION_DENY', flow.replace('198.51.100.4', '198.51.100.400'))],
    ['missing_src', sd('RT_FLOW_SESSION_DENY', flow.replace('source-address="198.51.100.4" ', ''))],
    [
      'bad_port',
      sd('RT_FLOW_SESSION_DENY', flow.replace('destination-port="443"', 'destination-port="70000"')),
    ],
    ['bad_port', sd('RT_FLOW_SESSION_DENY', flow.replace('source-port="51234"', 'source-port="-1"'))],
    ['missing_port', sd('RT_FLOW_SESSION_DENY', flow.replace('destination-port="443" ', ''))],
    ['bad_proto', sd('RT_FLOW_SESSION_DENY', flow.replace('protocol-id="6"', 'protocol-id="300"'))],
    ['missing_proto', sd('RT_FLOW_SESSION_DENY', flow.replace('protocol-id="6" ', ''))],
    // Cut inside the destination port's value: nothing after it (protocol-id) is read.
    [
      'missing_proto',
      sd('RT_FLOW_SESSION_DENY', flow).slice(
        0,
        sd('RT_FLOW_SESSION_DENY', flow).indexOf('destination-port') + 20,
      ),
    ],
  ])('refuses %s without throwing', (reason, line) => {
    expect(parse(line)).toEqual({ kind: 'malformed', reason });
  });

  it('skips what is not an attempt', () => {
    expect(parse('')).toEqual({ kind: 'skip', reason: 'empty' });
    expect(parse(' \t\r\n')).toEqual({ kind: 'skip', reason: 'empty' });
    expect(parse('Mar  3 10:15:02 host sshd[1]: Accepted publickey for root')).toEqual({
      kind: 'skip',
      reason: 'not_firewall',
    });
    expect(parse(classic('RT_FLOW_SESSION_CLOSE: session closed TCP FIN: 1.2.3.4/1->5.6.7.8/2 x'))).toEqual({
      kind: 'skip',
      reason: 'not_attempt',
    });
    expect(parse('Mar  3 10:15:02 srx-1 mgd[123]: UI_COMMIT: User root requested commit')).toEqual({
      kind: 'skip',
      reason: 'not_attempt',
    });
    const idp =
      'Mar  3 10:15:02 srx-1 RT_IDP - IDP_ATTACK_LOG_EVENT [junos@2636.1.1.1.2.135 source-address="203.0.113.1" source-port="1" destination-address="192.0.2.1" destination-port="80" protocol-name="TCP"]';
    expect(parse(idp)).toEqual({ kind: 'skip', reason: 'not_attempt' });
  });

  it('odd spacing, CRLF, leading blanks, escaped quotes in a value and a Buffer all read the same', () => {
    const want = parse(deny);
    expect(parse(`  ${deny.slice(0, 16)}${deny.slice(16).replace(/ /g, '  ')}\r\n`)).toEqual(want);
    expect(parse(Buffer.from(`${deny}\n`))).toEqual(want);
    const escaped = flow.replace(
      'service-name="junos-https"',
      'reason="a \\"quoted\\" ]value" service-name="x"',
    );
    expect(parse(sd('RT_FLOW_SESSION_CREATE', escaped))).toMatchObject({
      kind: 'event',
      event: { port: 443 },
    });
  });

  it('huge lines: a valid record with a long tail still parses; long junk is refused without throwing', () => {
    const tail = ` ${'x'.repeat(200_000)}`;
    expect(parse(deny + tail)).toMatchObject({ kind: 'event', event: { port: 23 } });
    expect(parse(sd('RT_FLOW_SESSION_CREATE', `${flow} big="${'y'.repeat(100_000)}"`))).toMatchObject({
      kind: 'event',
    });
    expect(parse('RT_'.repeat(100_000))).toEqual({ kind: 'skip', reason: 'not_firewall' });
  });

  it('inboundZones compares the source zone, classic (after the protocol and policy) or structured', () => {
    const opts = { inboundZones: ['untrust'] };
    expect(parse(deny, opts)).toMatchObject({ kind: 'event' });
    expect(parse(deny.replace('untrust trust', 'trust untrust'), opts)).toEqual({
      kind: 'skip',
      reason: 'outbound',
    });
    expect(parse(sd('RT_FLOW_SESSION_DENY', flow.replace('"untrust"', '"dmz"')), opts)).toEqual({
      kind: 'skip',
      reason: 'outbound',
    });
  });
});
