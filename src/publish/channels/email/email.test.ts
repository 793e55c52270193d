/** The email channel against a real SMTP server (smtp-server) on a loopback port. */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { SMTPServerOptions } from 'smtp-server';
import { afterAll, describe, expect, it } from 'vitest';
import { isStormwatchError } from '../../../core/errors.js';
import { sampleMessage } from '../../dispatcher/test-helpers.js';
import { runChannelContract } from '../channel.contract.js';
import { isPermanentFailure } from '../failure.js';
import { webhookDeps } from '../webhook/test-helpers.js';
import { emailConfigSchema } from './config.js';
import { EmailChannel } from './email.js';

interface Mail {
  from: string;
  to: string[];
  raw: string;
}

async function startSmtp(
  opts: Partial<SMTPServerOptions> = {},
): Promise<{ port: number; mails: Mail[]; close(): Promise<void> }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    logger: false,
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        cb();
      });
    },
    ...opts,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { port, mails, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Headers (unfolded, lower-case names) and the decoded text/plain part of a raw message. */
function parseMail(raw: string): { headers: Map<string, string>; text: string; html: string } {
  const split = raw.indexOf('\r\n\r\n');
  const headers = new Map<string, string>();
  for (const line of raw
    .slice(0, split)
    .replace(/\r\n[ \t]+/g, ' ')
    .split('\r\n')) {
    const i = line.indexOf(':');
    headers.set(line.slice(0, i).toLowerCase(), line.slice(i + 1).trim());
  }
  const qp = (s: string): string =>
    Buffer.from(
      s
        .replace(/=\r\n/g, '')
        .replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
      'latin1',
    ).toString('utf8');
  const part = (type: string): string => {
    const m = new RegExp(
      `Content-Type: ${type}[^\\r]*\\r\\n(?:[^\\r]+\\r\\n)*\\r\\n([\\s\\S]*?)\\r\\n--`,
    ).exec(raw);
    return m ? qp(m[1]!) : '';
  };
  return { headers, text: part('text/plain'), html: part('text/html') };
}

function channel(port: number, over: Record<string, unknown> = {}): EmailChannel {
  const cfg = emailConfigSchema.parse({
    type: 'email',
    name: 'mail',
    host: '127.0.0.1',
    port,
    starttls: 'off',
    from: 'alerts@stormwatch.example.org',
    to: ['soc@example.org', 'team@example.org'],
    ...over,
  });
  return new EmailChannel(cfg, webhookDeps());
}

runChannelContract('email', async () => {
  const ok = await startSmtp();
  const failing = await startSmtp({
    onRcptTo: (_a, _s, cb) => cb(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 })),
  });
  const silent = net.createServer(() => undefined); // accepts, never greets
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  return {
    channel: channel(ok.port),
    received: () =>
      Promise.resolve(ok.mails.map((m) => parseMail(m.raw).headers.get('x-stormwatch-delivery') ?? '')),
    failing: channel(failing.port),
    hanging: channel((silent.address() as AddressInfo).port, { timeout_ms: 60_000 }),
    close: async () => {
      await Promise.all([ok.close(), failing.close(), new Promise<void>((r) => silent.close(() => r()))]);
    },
  };
});

describe('email channel', () => {
  const servers: Array<{ close(): Promise<void> }> = [];
  afterAll(() => Promise.all(servers.map((s) => s.close())));

  it('sends text and HTML with a stable Message-ID, the delivery id and the level in the subject', async () => {
    const s = await startSmtp();
    servers.push(s);
    const ch = channel(s.port);
    const msg = sampleMessage({ title: 'Scanning of tcp/1025\r\nBcc: victim@example.org' });
    await ch.deliver(msg, new AbortController().signal);
    await ch.deliver(msg, new AbortController().signal);
    expect(s.mails).toHaveLength(2);
    const [a, b] = s.mails.map((m) => parseMail(m.raw));
    expect(s.mails[0]).toMatchObject({
      from: 'alerts@stormwatch.example.org',
      to: ['soc@example.org', 'team@example.org'],
    });
    expect(a!.headers.get('subject')).toBe(
      '[Stormwatch] [HIGH] Scanning of tcp/1025 Bcc: victim@example.org',
    );
    expect(a!.headers.has('bcc')).toBe(false);
    expect(a!.headers.get('from')).toBe('Stormwatch <alerts@stormwatch.example.org>');
    expect(a!.headers.get('x-stormwatch-delivery')).toBe('advisory:42:v1');
    expect(a!.headers.get('message-id')).toMatch(/^<[0-9a-f]{32}@stormwatch\.example\.org>$/);
    expect(a!.headers.get('message-id')).toBe(b!.headers.get('message-id'));
    expect(a!.headers.get('content-type')).toMatch(/^multipart\/alternative/);
    expect(a!.text).toContain('Sources rose *tenfold*.');
    expect(a!.text).toContain('https://stormwatch.example.org/advisories/42');
    expect(a!.html).toContain('<em>tenfold</em>');
  });

  it('logs in when auth is configured', async () => {
    const logins: string[] = [];
    const s = await startSmtp({
      authOptional: false,
      allowInsecureAuth: true,
      onAuth: (auth, _session, cb) =>
        auth.username === 'relay' && auth.password === 'pw-from-config'
          ? (logins.push(auth.username), cb(null, { user: auth.username }))
          : cb(new Error('bad login')),
    });
    servers.push(s);
    await channel(s.port, { auth: { user: 'relay', pass: 'pw-from-config' } }).deliver(
      sampleMessage(),
      new AbortController().signal,
    );
    expect(logins).toEqual(['relay']);
    const err = await channel(s.port, { auth: { user: 'relay', pass: 'wrong' } })
      .deliver(sampleMessage(), new AbortController().signal)
      .catch((e: unknown) => e);
    expect(isPermanentFailure(err)).toBe(true);
  });

  it('treats a 550 RCPT as permanent and a 451 as retryable', async () => {
    const codes = [550, 451];
    for (const code of codes) {
      const s = await startSmtp({
        onRcptTo: (_a, _s, cb) => cb(Object.assign(new Error(`no (${code})`), { responseCode: code })),
      });
      servers.push(s);
      const err = await channel(s.port)
        .deliver(sampleMessage(), new AbortController().signal)
        .catch((e: unknown) => e);
      expect(isStormwatchError(err) && err.code).toBe('SW_DELIVERY_FAILED');
      expect(isPermanentFailure(err)).toBe(code >= 500);
      expect(s.mails).toHaveLength(0);
    }
  });

  it('refuses a server without STARTTLS when starttls is required', async () => {
    const s = await startSmtp();
    servers.push(s);
    const err = await channel(s.port, { starttls: 'required' })
      .deliver(sampleMessage(), new AbortController().signal)
      .catch((e: unknown) => e);
    expect(isStormwatchError(err)).toBe(true);
    expect(s.mails).toHaveLength(0);
  });
});
