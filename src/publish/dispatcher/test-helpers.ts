/**
 * Test support for the dispatcher: a sample message, a real SQLite outbox in a temp file, and a scripted
 * in-process channel (the dispatcher is what is under test; the real channels have their own suites).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createSqliteDeliveryStore } from '../../store/sqlite/deliveries.js';
import { DELIVERY_MIGRATION } from '../../store/sqlite/migration-deliveries.js';
import type { DeliveryStore } from '../../store/delivery-store.js';
import { deliveryFailed } from '../channels/failure.js';
import type { Channel, PublishMessage } from '../channels/types.js';

export function sampleMessage(over: Partial<PublishMessage> = {}): PublishMessage {
  return {
    id: 'advisory:42:v1',
    kind: 'advisory.published',
    title: 'Scanning of tcp/1025 rising',
    summary: 'Sources probing tcp/1025 rose tenfold within an hour.',
    url: 'https://stormwatch.example.org/advisories/42',
    level: 'high',
    proto: 'tcp',
    port: 1025,
    markdown: '# Scanning of tcp/1025\n\nSources rose *tenfold*.',
    html: '<h1>Scanning of tcp/1025</h1><p>Sources rose <em>tenfold</em>.</p>',
    json: { advisory: 42, version: 1 },
    created_at: Date.parse('2026-03-01T12:00:00Z'),
    ...over,
  };
}

export interface TempDb {
  path: string;
  db: Database.Database;
  store: DeliveryStore;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Opens (creating and migrating when new) an outbox database file. */
export function openOutbox(path: string, fresh: boolean): TempDb {
  const db = new Database(path);
  if (fresh) db.exec(DELIVERY_MIGRATION.sql);
  return { path, db, store: createSqliteDeliveryStore(db) };
}

export type Script = 'ok' | 'fail' | 'permanent' | 'hang' | { retryAfterMs: number };

/** A channel that plays a script per attempt (then 'ok' forever) and records what it saw. */
export class ScriptedChannel implements Channel {
  readonly type = 'scripted';
  readonly seen: string[] = [];
  readonly delivered: string[] = [];
  closed = false;
  constructor(
    readonly name: string,
    private readonly script: Script[] = [],
  ) {}

  async deliver(msg: PublishMessage, signal: AbortSignal): Promise<void> {
    this.seen.push(msg.id);
    const step = this.script.shift() ?? 'ok';
    if (step === 'ok') {
      this.delivered.push(msg.id);
      return;
    }
    if (step === 'hang') {
      await new Promise<void>((_resolve, reject) => {
        signal.addEventListener('abort', () =>
          reject(deliveryFailed(this.name, 'aborted', { permanent: false })),
        );
      });
      return;
    }
    if (step === 'fail') throw deliveryFailed(this.name, 'HTTP 503', { permanent: false, status: 503 });
    if (step === 'permanent') throw deliveryFailed(this.name, 'HTTP 404', { permanent: true, status: 404 });
    throw deliveryFailed(this.name, 'HTTP 429', { permanent: false, retry_after_ms: step.retryAfterMs });
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}
