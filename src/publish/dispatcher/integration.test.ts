/**
 * The publish side from config to receivers: resolvePublishConfig → createPublishing → enqueue → real
 * webhook receiver (failing once), feed entries and STIX files, across a restart of the process.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.js';
import { contractBundle } from '../channels/channel.contract.js';
import { verifySignature } from '../channels/webhook/signature.js';
import { startReceiver } from '../channels/webhook/test-helpers.js';
import { resolvePublishConfig } from '../config.js';
import { createPublishing } from './from-config.js';
import { openOutbox, sampleMessage, tempDir } from './test-helpers.js';

const dir = tempDir('sw-publish-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const logger = pino({ level: 'silent' });
const T0 = Date.parse('2026-03-01T12:00:00Z');

describe('publishing end to end', () => {
  it('retries a failing webhook, fills the feed and the STIX folder, and resumes after a restart', async () => {
    let answers = [503, 200, 200];
    const rx = await startReceiver((_r, res) => res.writeHead(answers.shift() ?? 200).end());
    const stixDir = join(dir, 'stix');
    mkdirSync(stixDir);
    const config = resolvePublishConfig(
      {
        channels: [
          {
            name: 'soc',
            type: 'webhook',
            url: `${rx.url}/hook`,
            secret_env: 'SOC_SECRET',
            allow_private: true,
          },
          { name: 'public', type: 'feed', link: 'https://stormwatch.example.org/' },
          { name: 'taxii', type: 'stix-file', directory: stixDir },
        ],
        routes: [
          { name: 'soc', match: { min_level: 'medium' }, channels: ['soc'] },
          {
            name: 'publish',
            match: { kinds: ['advisory.published', 'advisory.updated'] },
            channels: ['public', 'taxii'],
          },
        ],
        dispatch: { backoff_base_ms: 1000, max_attempts: 3 },
      },
      { SOC_SECRET: 'a-secret-from-the-environment' },
    );
    const dbPath = join(dir, 'outbox.db');
    const clock = new ManualClock(T0);
    let out = openOutbox(dbPath, true);
    let pub = createPublishing(config, {
      logger,
      clock,
      version: '0.1.0',
      deliveries: out.store,
      random: () => 0,
    });
    expect(pub.dispatcher.enqueue(sampleMessage({ stix: contractBundle })).channels).toEqual([
      'soc',
      'public',
      'taxii',
    ]);
    expect(await pub.dispatcher.runDue()).toBe(3);
    expect(rx.requests).toHaveLength(1); // answered 503
    expect(pub.dispatcher.stats().channels.soc).toMatchObject({ failed_attempts_total: 1, pending: 1 });
    expect(pub.feeds.get('public')?.render('atom')).toContain('urn:stormwatch:message:advisory:42:v1');
    expect(readdirSync(stixDir)).toEqual(['advisory%3A42%3Av1.json']);

    // The process stops before the retry; a new one on the same database resumes it.
    await pub.dispatcher.close();
    out.db.close();
    out = openOutbox(dbPath, false);
    clock.advance(500);
    pub = createPublishing(config, {
      logger,
      clock,
      version: '0.1.0',
      deliveries: out.store,
      random: () => 0,
    });
    expect(
      pub.feeds
        .get('public')
        ?.entries()
        .map((e) => e.id),
    ).toEqual(['advisory:42:v1']);
    expect(await pub.dispatcher.runDue()).toBe(1);
    expect(rx.requests.map((r) => r.headers['x-stormwatch-delivery'])).toEqual([
      'advisory:42:v1',
      'advisory:42:v1',
    ]);
    const last = rx.requests[1]!;
    expect(
      verifySignature(
        last.headers['x-stormwatch-signature'] as string,
        last.body,
        'a-secret-from-the-environment',
        (T0 + 500) / 1000,
      ),
    ).toBe(true);
    expect(pub.dispatcher.stats().channels).toMatchObject({
      soc: { delivered_total: 1, pending: 0, dead: 0 },
      public: { pending: 0 },
      taxii: { pending: 0 },
    });
    await pub.dispatcher.close();
    out.db.close();
    await rx.close();
    answers = [];
  });
});
