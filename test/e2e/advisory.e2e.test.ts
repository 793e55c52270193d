/**
 * From the demo's TCP/1025 outbreak to a published advisory, end to end through real processes and servers: the
 * demo imports an NVD file and Exploit-DB rows, the outbreak opens an incident, the automatic draft names the
 * Microsoft RPC dynamic ports, links CVE-2007-1748 and its exploits and recommends what to block; once an analyst
 * publishes it, it reaches a webhook receiver (signature checked), an SMTP server, a syslog (CEF over TCP)
 * listener, the Atom feed and a STIX folder, and the STIX is valid against the OASIS schemas. The time limits are
 * safety nets, not benchmarks.
 */
import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { Server as HttpServer } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import type { AddressInfo, Server as TcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdvisoriesResponse, AdvisoryView } from '../../src/protocol/advisory-types.js';
import { validateStix } from '../../src/publish/stix/validate.js';
import { ROOT, getJson, pollUntil, startCli } from './cli.js';
import type { Running } from './cli.js';

const SECRET = 'e2e-webhook-secret-0123456789';
const TESTDATA = join(ROOT, 'src', 'intel', 'import', 'testdata');

interface Hook {
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const portOf = (s: { address(): AddressInfo | string | null }): number => (s.address() as AddressInfo).port;

describe('advisory from the demo outbreak to every channel', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-advisory-'));
  const stixDir = join(dir, 'stix');
  const hooks: Hook[] = [];
  const mails: string[] = [];
  let syslogText = '';
  let webhook: HttpServer;
  let smtp: SMTPServer;
  let syslog: TcpServer;
  let demo: Running;
  let url = '';
  let token = '';

  const admin = async <T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> => {
    const res = await fetch(`${url}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        authorization: `Bearer ${token}`,
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${text}`);
    return JSON.parse(text) as T;
  };

  beforeAll(async () => {
    mkdirSync(stixDir);
    webhook = createHttpServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        hooks.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => webhook.listen(0, '127.0.0.1', r));
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, _session, cb) {
        let text = '';
        stream.on('data', (d: Buffer) => (text += d.toString()));
        stream.on('end', () => {
          mails.push(text);
          cb();
        });
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
    syslog = createTcpServer((sock) => sock.on('data', (d: Buffer) => (syslogText += d.toString())));
    await new Promise<void>((r) => syslog.listen(0, '127.0.0.1', r));

    const configFile = join(dir, 'config.yaml');
    const channels = ['soc-webhook', 'team-mail', 'public', 'siem', 'stix-drop'];
    writeFileSync(
      configFile,
      JSON.stringify({
        publish: {
          channels: [
            {
              name: 'soc-webhook',
              type: 'webhook',
              url: `http://127.0.0.1:${portOf(webhook)}/hook`,
              secret: SECRET,
              allow_private: true,
            },
            {
              name: 'team-mail',
              type: 'email',
              host: '127.0.0.1',
              port: portOf(smtp.server),
              starttls: 'off',
              from: 'stormwatch@example.org',
              to: ['soc@example.org'],
            },
            { name: 'public', type: 'feed', title: 'Stormwatch advisories', link: 'http://127.0.0.1/' },
            { name: 'siem', type: 'syslog', protocol: 'tcp', host: '127.0.0.1', port: portOf(syslog) },
            { name: 'stix-drop', type: 'stix-file', directory: stixDir },
          ],
          routes: [
            { name: 'advisories', match: { kinds: ['advisory.published', 'advisory.updated'] }, channels },
          ],
          dispatch: { poll_interval_ms: 200, backoff_base_ms: 500, backoff_max_ms: 2000 },
        },
      }),
    );
    const data = join(dir, 'data');
    demo = startCli([
      'demo',
      '--port',
      '0',
      '--data',
      data,
      '--config',
      configFile,
      '--intel',
      `nvd:${join(TESTDATA, 'nvdcve-2.0-sample.json')}`,
      '--intel',
      `exploitdb:${join(TESTDATA, 'files_exploits.csv')}`,
    ]);
    const m = await demo.waitFor(/Dashboard: (http:\/\/\S+?)\/?\n/, 90_000);
    url = m[1] ?? '';
    token = readFileSync(join(data, 'admin-token'), 'utf8').trim();
  }, 120_000);

  afterAll(async () => {
    await demo?.stop();
    await new Promise((r) => webhook?.close(r));
    await new Promise<void>((r) => (smtp ? smtp.close(() => r()) : r()));
    await new Promise((r) => syslog?.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('imported the knowledge files before the server started', () => {
    expect(demo.output()).toMatch(/nvdcve-2\.0-sample\.json \(nvd\): \d+ records, [1-9]\d* imported/);
    expect(demo.output()).toMatch(/files_exploits\.csv \(exploitdb\): \d+ records, [1-9]\d* imported/);
  });

  it('drafts the TCP/1025 advisory by itself and publishes it to every channel', async () => {
    const summary = await pollUntil(
      async () => {
        const { items } = await admin<AdvisoriesResponse>('/api/v1/advisories?status=draft');
        return items.find((a) => a.proto === 'tcp' && a.port === 1025);
      },
      150_000,
      'an automatic advisory draft for tcp/1025',
    );
    const draft = await admin<AdvisoryView>(`/api/v1/advisories/${summary.id}`);
    const f = draft.fields;
    // The likely service: the Microsoft RPC dynamic port range, first.
    expect(f.services[0]?.name).toBe('msrpc-dynamic');
    expect(f.services[0]?.description).toMatch(/RPC/);
    expect(draft.body_md).toMatch(/RPC/);
    // The imported vulnerability and its exploits, counted.
    const cve = f.vulnerabilities.find((v) => v.id === 'CVE-2007-1748');
    expect(cve).toBeDefined();
    expect(f.exploit_count).toBeGreaterThanOrEqual(1);
    expect(draft.body_md).toContain('CVE-2007-1748');
    // Block inbound 1024 and above, and 445 where the linked exploits use SMB.
    const blocks = f.recommendations.block;
    expect(blocks.some((b) => b.proto === 'tcp' && b.from <= 1024 && b.to === 65535)).toBe(true);
    expect(blocks.some((b) => b.proto === 'tcp' && b.from <= 445 && b.to >= 445)).toBe(true);
    expect(f.firewall.iptables).toMatch(/iptables .*--dport/);
    // Hedged: what is not confirmed is said plainly.
    expect(f.statements.not_confirmed.length).toBeGreaterThan(0);
    // The public does not see a draft.
    const pub = await getJson<AdvisoriesResponse>(`${url}/api/v1/advisories`);
    expect(pub.items.find((a) => a.id === draft.id)).toBeUndefined();

    await admin(`/api/v1/advisories/${draft.id}/transition`, {
      method: 'POST',
      body: { to: 'in_review', actor: 'e2e-analyst' },
    });
    const published = await admin<AdvisoryView>(`/api/v1/advisories/${draft.id}/transition`, {
      method: 'POST',
      body: { to: 'published', actor: 'e2e-publisher', note: 'reviewed' },
    });
    expect(published.status).toBe('published');

    // Webhook: signed with the shared secret over "t.body".
    const hook = await pollUntil(() => Promise.resolve(hooks[0]), 30_000, 'the webhook delivery').catch(
      async (err) => {
        const dead = await admin('/api/v1/admin/deliveries/dead');
        const metrics = await (await fetch(`${url}/metrics`)).text();
        throw new Error(
          `${String(err)}\ndead letters: ${JSON.stringify(dead)}\n${metrics
            .split('\n')
            .filter((l) => l.includes('publish'))
            .join('\n')}\n${demo.output().slice(-3000)}`,
        );
      },
    );
    const sig = String(hook.headers['x-stormwatch-signature']);
    const t = /t=(\d+)/.exec(sig)?.[1] ?? '';
    const v1 = /v1=([0-9a-f]+)/.exec(sig)?.[1] ?? '';
    expect(v1).toBe(createHmac('sha256', SECRET).update(`${t}.${hook.body}`).digest('hex'));
    const payload = JSON.parse(hook.body) as { kind: string; title: string; stix: unknown; port: number };
    expect(payload.kind).toBe('advisory.published');
    expect(payload.port).toBe(1025);
    expect(validateStix(payload.stix)).toEqual([]);
    // Email through the real SMTP server.
    const mail = await pollUntil(() => Promise.resolve(mails[0]), 30_000, 'the email');
    expect(mail).toMatch(/To: soc@example\.org/i);
    expect(mail).toContain('1025');
    // Syslog: a CEF line over TCP.
    await pollUntil(
      () => Promise.resolve(/CEF:0\|Stormwatch\|/.test(syslogText) ? true : undefined),
      30_000,
      'CEF',
    );
    expect(syslogText).toContain('1025');
    // The Atom feed.
    const atom = await pollUntil(
      async () => {
        const res = await fetch(`${url}/feeds/public.atom`);
        const text = await res.text();
        return res.ok && text.includes(payload.title.replaceAll('&', '&amp;')) ? { res, text } : undefined;
      },
      30_000,
      'the advisory in the Atom feed',
    );
    expect(atom.res.headers.get('content-type')).toMatch(/application\/atom\+xml/);
    expect(atom.text).toMatch(/^<\?xml[^>]*>\s*<feed xmlns="http:\/\/www\.w3\.org\/2005\/Atom"/);
    // STIX: the bundle dropped in the folder, and the TAXII collection, both valid.
    const files = await pollUntil(
      () => {
        const list = readdirSync(stixDir).filter((n) => n.endsWith('.json'));
        return Promise.resolve(list.length > 0 ? list : undefined);
      },
      30_000,
      'the STIX bundle file',
    );
    const bundle = JSON.parse(readFileSync(join(stixDir, files[0] ?? ''), 'utf8')) as {
      objects: Array<{ type: string; name?: string }>;
    };
    expect(validateStix(bundle)).toEqual([]);
    expect(bundle.objects.some((o) => o.type === 'vulnerability' && o.name === 'CVE-2007-1748')).toBe(true);
    const taxii = await fetch(`${url}/taxii2/api/collections/`, {
      headers: { accept: 'application/taxii+json;version=2.1' },
    });
    expect(taxii.status).toBe(200);
    // Metrics count the deliveries per channel.
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/stormwatch_publish_delivered_total\{channel="soc-webhook"\} [1-9]/);
    expect(metrics).toMatch(/stormwatch_advise_drafts_created_total [1-9]/);
    // The public now sees the advisory.
    const after = await getJson<AdvisoriesResponse>(`${url}/api/v1/advisories`);
    expect(after.items.map((a) => a.id)).toContain(draft.id);
  }, 240_000);
});
