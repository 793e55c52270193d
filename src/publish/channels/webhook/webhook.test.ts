/** The webhook channel against real HTTP receivers on 127.0.0.1 (allow_private), plus its answers policy. */
import { afterAll, describe, expect, it } from 'vitest';
import { isStormwatchError } from '../../../core/errors.js';
import { sampleMessage } from '../../dispatcher/test-helpers.js';
import { runChannelContract } from '../channel.contract.js';
import { isPermanentFailure, retryAfterMs } from '../failure.js';
import { webhookConfigSchema } from './config.js';
import { verifySignature } from './signature.js';
import { startReceiver, WEBHOOK_NOW, webhookDeps } from './test-helpers.js';
import type { Receiver } from './test-helpers.js';
import { WebhookChannel } from './webhook.js';

const SECRET = 'a-test-secret-of-32-characters!!';

function channel(url: string, over: Record<string, unknown> = {}, deps = webhookDeps()): WebhookChannel {
  const cfg = webhookConfigSchema.parse({
    type: 'webhook',
    name: 'hook',
    url,
    secret: SECRET,
    allow_private: true,
    ...over,
  });
  return new WebhookChannel(cfg, deps);
}

runChannelContract('webhook', async () => {
  const ok = await startReceiver((r, res) => {
    const valid = verifySignature(
      r.headers['x-stormwatch-signature'] as string,
      r.body,
      SECRET,
      WEBHOOK_NOW / 1000,
    );
    res.writeHead(valid ? 200 : 401).end();
  });
  const failing = await startReceiver((_r, res) => res.writeHead(500).end('boom'));
  const hanging = await startReceiver(() => undefined);
  return {
    channel: channel(`${ok.url}/hook`),
    received: () => Promise.resolve(ok.requests.map((r) => r.headers['x-stormwatch-delivery'] as string)),
    failing: channel(failing.url),
    hanging: channel(hanging.url, { timeout_ms: 60_000 }),
    close: async () => {
      await Promise.all([ok.close(), failing.close(), hanging.close()]);
    },
  };
});

describe('webhook channel', () => {
  const receivers: Receiver[] = [];
  afterAll(() => Promise.all(receivers.map((r) => r.close())));
  const start = async (...args: Parameters<typeof startReceiver>): Promise<Receiver> => {
    const r = await startReceiver(...args);
    receivers.push(r);
    return r;
  };

  it('posts the signed JSON message with its id, verified on the receiver side', async () => {
    const rx = await start();
    await channel(`${rx.url}/in?x=1`).deliver(sampleMessage(), new AbortController().signal);
    const [req] = rx.requests;
    expect(req?.method).toBe('POST');
    expect(req?.url).toBe('/in?x=1');
    expect(req?.headers['content-type']).toBe('application/json');
    expect(req?.headers['x-stormwatch-delivery']).toBe('advisory:42:v1');
    expect(req?.headers['x-stormwatch-event']).toBe('advisory.published');
    expect(req?.headers['user-agent']).toBe('Stormwatch/0.1.0-test');
    const sig = req?.headers['x-stormwatch-signature'] as string;
    expect(sig).toMatch(new RegExp(`^t=${WEBHOOK_NOW / 1000},v1=[0-9a-f]{64}$`));
    expect(verifySignature(sig, req!.body, SECRET, WEBHOOK_NOW / 1000)).toBe(true);
    expect(verifySignature(sig, req!.body, 'another-secret-of-some-length', WEBHOOK_NOW / 1000)).toBe(false);
    expect(verifySignature(sig, `${req!.body} `, SECRET, WEBHOOK_NOW / 1000)).toBe(false);
    expect(verifySignature(sig, req!.body, SECRET, WEBHOOK_NOW / 1000 + 301)).toBe(false);
    const body = JSON.parse(req!.body) as Record<string, unknown>;
    expect(body).toMatchObject({
      id: 'advisory:42:v1',
      kind: 'advisory.published',
      level: 'high',
      port: 1025,
    });
    expect(body.created_at).toBe('2026-03-01T12:00:00.000Z');
    expect(body.data).toEqual({ advisory: 42, version: 1 });
  });

  it('treats 4xx as permanent, 408/429/5xx as retryable, and passes Retry-After on', async () => {
    const statuses = [404, 410, 408, 429, 503];
    const rx = await start((r, res) => {
      const status = Number(r.url.slice(1));
      res.writeHead(status, status === 429 ? { 'retry-after': '120' } : {}).end('nope');
    });
    const results = await Promise.all(
      statuses.map((s) =>
        channel(`${rx.url}/${s}`)
          .deliver(sampleMessage(), new AbortController().signal)
          .catch((e: unknown) => e),
      ),
    );
    expect(results.map(isPermanentFailure)).toEqual([true, true, false, false, false]);
    expect(results.every(isStormwatchError)).toBe(true);
    expect(retryAfterMs(results[3])).toBe(120_000);
    expect(String((results[0] as Error).message)).toMatch(/HTTP 404 from receiver: nope/);
  });

  it('does not follow a redirect', async () => {
    const other = await start();
    const rx = await start((_r, res) => res.writeHead(302, { location: `${other.url}/elsewhere` }).end());
    const err = await channel(rx.url)
      .deliver(sampleMessage(), new AbortController().signal)
      .catch((e: unknown) => e);
    expect(isPermanentFailure(err)).toBe(true);
    expect(String((err as Error).message)).toMatch(/HTTP 302.*redirect to .* not followed/);
    expect(other.requests).toHaveLength(0);
  });

  it('connects to the address it checked, whatever the name resolves to later (pinned)', async () => {
    const rx = await start();
    let lookups = 0;
    const deps = webhookDeps({
      lookupAll: (host) => {
        lookups++;
        expect(host).toBe('hooks.stormwatch.test');
        return Promise.resolve([{ address: '127.0.0.1', family: 4 }]);
      },
    });
    await channel(`http://hooks.stormwatch.test:${rx.port}/x`, {}, deps).deliver(
      sampleMessage(),
      new AbortController().signal,
    );
    expect(lookups).toBe(1);
    expect(rx.requests[0]?.headers.host).toBe(`hooks.stormwatch.test:${rx.port}`);
  });

  it('refuses a loopback receiver without allow_private, and sends nothing', async () => {
    const rx = await start();
    const err = await channel(rx.url, { allow_private: false })
      .deliver(sampleMessage(), new AbortController().signal)
      .catch((e: unknown) => e);
    expect(isStormwatchError(err) && err.code).toBe('SW_TARGET_REFUSED');
    expect(isPermanentFailure(err)).toBe(true);
    expect(rx.requests).toHaveLength(0);
  });

  it('reads at most 64 KiB of an answer', async () => {
    const rx = await start((_r, res) => {
      res.writeHead(500);
      res.end('x'.repeat(1_000_000));
    });
    const err = await channel(rx.url)
      .deliver(sampleMessage(), new AbortController().signal)
      .catch((e: unknown) => e);
    expect(String((err as Error).message).length).toBeLessThan(400);
  });
});

describe('webhook channel and a name lookup that never answers', () => {
  it('stops waiting when the delivery is aborted', async () => {
    const deps = webhookDeps({ lookupAll: () => new Promise(() => undefined) });
    const err = await channel('https://slow-dns.stormwatch.test/x', {}, deps)
      .deliver(sampleMessage(), AbortSignal.timeout(200))
      .catch((e: unknown) => e);
    expect(isStormwatchError(err) && err.code).toBe('SW_DELIVERY_FAILED');
    expect(String((err as Error).message)).toMatch(/timed out/);
  });
});
