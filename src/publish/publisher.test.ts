/**
 * The Publisher on a real SQLite store, the real advise stage and a real dispatcher with a feed channel: an
 * incident notification makes its draft once and one message; the start-up catch-up drafts what a crash lost and
 * nothing twice; a published advisory becomes one message per version with a valid STIX bundle and titles within
 * the message limits.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { createAdvise } from '../pipeline/advise/index.js';
import type { Advise } from '../pipeline/advise/index.js';
import { correlation1025, incident1025, NOW, seedIncidentStore } from '../pipeline/advise/test-helpers.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import type { Store } from '../store/store.js';
import { resolvePublishConfig } from './config.js';
import { createPublishing } from './dispatcher/from-config.js';
import type { Publishing } from './dispatcher/from-config.js';
import { clip, Publisher } from './publisher.js';
import { validateStix } from './stix/validate.js';

const logger = pino({ level: 'silent' });

describe('Publisher', () => {
  let dir: string;
  let store: Store;
  let advise: Advise;
  let pub: Publishing;
  let publisher: Publisher;
  const clock = new ManualClock(NOW);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sw-publisher-'));
    store = openSqliteStore({ path: join(dir, 'db'), seed: new Uint8Array(16), logger });
    seedIncidentStore(store);
    pub = createPublishing(
      resolvePublishConfig({
        channels: [{ name: 'public', type: 'feed', link: 'http://127.0.0.1/' }],
        routes: [{ name: 'all', channels: ['public'] }],
      }),
      { logger, clock, version: 'test', deliveries: store.deliveries },
    );
    let hook: Publisher | null = null;
    advise = createAdvise({
      store,
      advisories: store.advisories,
      correlate: () => correlation1025(),
      eventClock: clock,
      authClock: clock,
      logger,
      suggestion: () => ({ level: 'normal', reason: 'test', incidents: [] }),
      onPublished: (v) => hook?.onAdvisory(v),
      onNotePublished: (n) => hook?.onNote(n),
      onThreatDecision: (d, c) => hook?.onThreatDecision(d, c),
    });
    publisher = new Publisher({
      dispatcher: pub.dispatcher,
      advisories: store.advisories,
      draftForIncident: (id) => advise.workflow.draftForIncident(id),
      logger,
      clock,
      publicUrl: () => 'http://127.0.0.1:8080',
      draftMinLevel: 'medium',
    });
    hook = publisher;
  });
  afterEach(async () => {
    await pub.dispatcher.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('drafts once per incident and enqueues one message per notification', () => {
    const incident = incident1025();
    publisher.onNotification({ kind: 'opened', incident });
    publisher.onNotification({ kind: 'opened', incident });
    expect(store.advisories.listAdvisories({ incident_id: incident.id, limit: 10 })).toHaveLength(1);
    expect(publisher.stats).toMatchObject({ drafts_created: 1, messages_enqueued: 2, failures: 0 });
    // The same notification twice is one message for the channel (stable id).
    expect(store.deliveries.counts().public?.pending).toBe(1);
    // A low incident below the draft level makes nothing.
    publisher.onNotification({
      kind: 'opened',
      incident: { ...incident, id: 'in_tcp_1026_1_1', level: 'low' },
    });
    expect(publisher.stats.drafts_created).toBe(1);
  });

  it('catches up the drafts a crash lost, and nothing twice', () => {
    const incident = incident1025();
    expect(publisher.catchUp([incident, { ...incident, id: 'x', backfilled: true }])).toBe(1);
    expect(publisher.catchUp([incident])).toBe(0);
    expect(store.deliveries.counts().public).toBeUndefined();
  });

  it('publishes an advisory version as one message with a valid STIX bundle', () => {
    const { advisory } = advise.workflow.draftForIncident(incident1025().id);
    advise.workflow.transition(advisory.id, 'in_review', 'a', '');
    advise.workflow.transition(advisory.id, 'published', 'b', 'reviewed');
    const view = advise.workflow.get(advisory.id, true);
    const msg = publisher.advisoryMessage(view);
    expect(msg?.id).toBe(`advisory:${advisory.id}:v1`);
    expect(msg?.kind).toBe('advisory.published');
    expect(validateStix(msg?.stix)).toEqual([]);
    expect(store.deliveries.counts().public?.pending).toBe(1);
  });

  it('sends a published note once per version, never a draft', () => {
    const note = advise.notes.create({ title: 'RPC scanning', body_md: 'Seen on **tcp/1025**.' }, 'analyst');
    expect(store.deliveries.counts().public).toBeUndefined();
    advise.notes.setStatus(note.id, 'published', 'analyst');
    expect(store.deliveries.counts().public?.pending).toBe(1);
    const [row] = store.deliveries.due('public', clock.now() + 1, 10);
    expect(row?.message_id).toBe(`note:${note.id}:v${note.version}`);
  });

  it("sends an analyst's threat-level decision without the analyst's name", () => {
    advise.desk.decide({ level: 'high', reason: 'TCP/1025 across the fleet', actor: 'secret-analyst-name' });
    const [row] = store.deliveries.due('public', clock.now() + 1, 10);
    expect(row?.message_id).toMatch(/^threat:\d+$/);
    expect(row?.body).toContain('threat_level.changed');
    expect(row?.body).toContain('TCP/1025 across the fleet');
    expect(row?.body).not.toContain('secret-analyst-name');
  });

  it('clips long titles at a word', () => {
    const long = 'word '.repeat(100).trim();
    const c = clip(long, 300);
    expect(c.length).toBeLessThanOrEqual(300);
    expect(c.endsWith('word…')).toBe(true);
    expect(clip('short', 300)).toBe('short');
  });
});
