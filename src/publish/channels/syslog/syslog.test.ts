/** The syslog channel against real UDP and TCP listeners on loopback, and the CEF/RFC 5424 format. */
import { describe, expect, it } from 'vitest';
import { sampleMessage } from '../../dispatcher/test-helpers.js';
import { runChannelContract } from '../channel.contract.js';
import { WEBHOOK_NOW, webhookDeps } from '../webhook/test-helpers.js';
import { cutUtf8, escapeCefHeader, escapeCefValue, octetFrame, syslogLine } from './cef.js';
import { syslogConfigSchema } from './config.js';
import { SyslogChannel } from './syslog.js';
import { closedPort, parseLine, tcpReceiver, udpReceiver } from './test-helpers.js';

function channel(protocol: 'udp' | 'tcp', port: number, over: Record<string, unknown> = {}): SyslogChannel {
  const cfg = syslogConfigSchema.parse({
    type: 'syslog',
    name: `siem-${protocol}`,
    protocol,
    host: '127.0.0.1',
    port,
    hostname: 'sw1',
    ...over,
  });
  return new SyslogChannel(cfg, webhookDeps());
}

/** UDP on loopback is not lost in practice, but arrives after the send callback: wait for it. */
async function settle(lines: string[], count: number): Promise<void> {
  for (let i = 0; i < 500 && lines.length < count; i++) await new Promise((r) => setTimeout(r, 5));
}

runChannelContract('syslog', async () => {
  const rx = await tcpReceiver();
  const hang = await tcpReceiver({ hang: true });
  return {
    channel: channel('tcp', rx.port),
    received: () => Promise.resolve(rx.lines.map((l) => parseLine(l).ext.externalId ?? '')),
    failing: channel('tcp', await closedPort()),
    hanging: channel('tcp', hang.port, { timeout_ms: 60_000 }),
    close: async () => {
      await Promise.all([rx.close(), hang.close()]);
    },
  };
});

runChannelContract('syslog', async () => {
  const rx = await udpReceiver();
  const udp = channel('udp', rx.port);
  let sent = 0; // datagrams whose send completed: received() waits for them to arrive
  return {
    channel: {
      name: udp.name,
      type: udp.type,
      deliver: async (m, s) => {
        await udp.deliver(m, s);
        sent++;
      },
    },
    received: async () => {
      await settle(rx.lines, sent);
      return rx.lines.map((l) => parseLine(l).ext.externalId ?? '');
    },
    failing: { skip: 'UDP has no acknowledgement: the sender cannot see a failing receiver' },
    hanging: { skip: 'UDP has no answer to wait for' },
    close: () => rx.close(),
  };
});

const nasty = 'pipe | back \\ equals = line\nbreak\r\nCR\r end \u0007bell';

describe('CEF escaping', () => {
  it('escapes header and extension text as the format says', () => {
    expect(escapeCefHeader('a|b\\c=d\ne')).toBe('a\\|b\\\\c=d e');
    expect(escapeCefValue('a|b\\c=d\ne\r\nf\rg')).toBe('a|b\\\\c\\=d\\ne\\nf\\rg');
  });

  it('round-trips hostile text through a real TCP receiver, framed by octet counting', async () => {
    const rx = await tcpReceiver();
    const msg = sampleMessage({ title: nasty, summary: nasty, id: 'advisory:7:v2' });
    await channel('tcp', rx.port).deliver(msg, new AbortController().signal);
    await channel('tcp', rx.port).deliver(
      sampleMessage({ id: 'second', level: undefined, proto: undefined, port: undefined }),
      new AbortController().signal,
    );
    await rx.close();
    expect(rx.lines).toHaveLength(2);
    const p = parseLine(rx.lines[0]!);
    expect(p.pri).toBe(16 * 8 + 3); // local0, high → error
    expect(p.timestamp).toBe(new Date(WEBHOOK_NOW).toISOString());
    expect([p.hostname, p.app, p.procid, p.msgid]).toEqual(['sw1', 'stormwatch', '-', 'advisory.published']);
    expect(p.header).toEqual([
      'CEF:0',
      'Stormwatch',
      'Stormwatch',
      '0.1.0-test',
      'advisory.published',
      nasty.replace(/[\r\n]+/g, ' ').replace('\u0007', ' '),
      '8',
    ]);
    expect(p.ext).toMatchObject({
      externalId: 'advisory:7:v2',
      rt: String(msg.created_at),
      cat: 'advisory.published',
      cs1Label: 'level',
      cs1: 'high',
      request: msg.url,
      proto: 'TCP',
      dpt: '1025',
      msg: nasty.replace('\r\n', '\n').replace('\u0007', ' '), // CRLF travels as \n
    });
    const q = parseLine(rx.lines[1]!);
    expect(q.pri).toBe(16 * 8 + 6);
    expect(q.header[6]).toBe('1');
    expect(q.ext.dpt).toBeUndefined();
  });

  it('sends one datagram per message over UDP', async () => {
    const rx = await udpReceiver();
    await channel('udp', rx.port, { facility: 'auth' }).deliver(
      sampleMessage({ level: 'low' }),
      new AbortController().signal,
    );
    await settle(rx.lines, 1);
    await rx.close();
    expect(parseLine(rx.lines[0]!).pri).toBe(4 * 8 + 5);
  });

  it('keeps a line within max bytes, shortening msg first, never splitting a character or an escape', () => {
    const opts = {
      facility: 'local0' as const,
      hostname: 'sw1',
      app_name: 'stormwatch',
      version: '1',
      maxBytes: 600,
    };
    const long = sampleMessage({ summary: `${'é='.repeat(400)}tail` });
    const line = syslogLine(long, WEBHOOK_NOW, opts);
    expect(Buffer.byteLength(line)).toBeLessThanOrEqual(600);
    expect(Buffer.byteLength(line)).toBeGreaterThan(550);
    const p = parseLine(line);
    expect(p.ext.externalId).toBe('advisory:42:v1');
    expect(p.ext.msg!.startsWith('é=é=')).toBe(true);
    expect(p.ext.msg).not.toMatch(/\uFFFD/);
    expect(cutUtf8('ab\\\\', 3)).toBe('ab');
    expect(cutUtf8('aé', 2)).toBe('a');
    const huge = syslogLine(
      sampleMessage({ title: 'x'.repeat(300), url: `https://e.example/${'y'.repeat(1900)}` }),
      WEBHOOK_NOW,
      opts,
    );
    expect(Buffer.byteLength(huge)).toBeLessThanOrEqual(600);
  });

  it('frames by octet count in bytes, not characters', () => {
    expect(octetFrame('é').toString('utf8')).toBe('2 é');
  });

  it('refuses a UDP size beyond a datagram in config', () => {
    expect(() =>
      syslogConfigSchema.parse({ type: 'syslog', name: 's', host: 'h', max_message_bytes: 70_000 }),
    ).toThrow(/65507/);
  });
});
