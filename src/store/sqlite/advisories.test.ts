/** SqliteAdvisoryStore on a real SQLite file: compare-and-set writes, versions, audit, notes, decisions. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AdvisoryContent, AdvisoryFields } from '../../protocol/advisory-types.js';
import type { NewAdvisory } from '../advisory-store.js';
import { SqliteAdvisoryStore } from './advisories.js';
import { ADVISORY_MIGRATION } from './migration-advisories.js';

let t: { dir: string; db: Database.Database; store: SqliteAdvisoryStore };
beforeEach(() => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-advisories-'));
  const db = new Database(join(dir, 'test.db'));
  db.exec(ADVISORY_MIGRATION.sql);
  t = { dir, db, store: new SqliteAdvisoryStore(db) };
});
afterEach(() => {
  t.db.close();
  rmSync(t.dir, { recursive: true, force: true });
});

// The store keeps fields as opaque JSON: a small stand-in is enough here (the drafted shape is tested in
// src/pipeline/advise). It must come back equal, nested values and unicode included.
const fields = {
  schema: 1,
  as_of: '2007-04-16T12:00:00.000Z',
  nested: { a: [1, 'ü'] },
} as unknown as AdvisoryFields;
const content: AdvisoryContent = { title: 'Surge on TCP/1025', summary: 'S', body_md: '# T\n', fields };
const newAdvisory = (over: Partial<NewAdvisory> = {}): NewAdvisory => ({
  incident_id: 'in_tcp_1025_1176620400000',
  proto: 'tcp',
  port: 1025,
  origin: 'auto',
  content,
  actor: 'stormwatch',
  at: 1000,
  change_note: 'drafted',
  ...over,
});
const errorOf = (f: () => unknown): { code: string; details: unknown } => {
  try {
    f();
  } catch (e) {
    return e as { code: string; details: unknown };
  }
  throw new Error('expected an error');
};

describe('advisories', () => {
  it('creates one automatic draft per incident, any number of manual ones', () => {
    const a = t.store.createAdvisory(newAdvisory());
    expect(a.created).toBe(true);
    expect(a.advisory).toMatchObject({
      status: 'draft',
      version: 1,
      published_version: null,
      origin: 'auto',
    });
    expect(a.advisory.id).toMatch(/^adv_[0-9a-f]{16}$/);
    const again = t.store.createAdvisory(newAdvisory({ at: 2000 }));
    expect(again).toEqual({ advisory: a.advisory, created: false });
    const manual = t.store.createAdvisory(newAdvisory({ origin: 'manual' }));
    expect(manual.created).toBe(true);
    expect(t.store.listAdvisories({ incident_id: 'in_tcp_1025_1176620400000', limit: 10 })).toHaveLength(2);
    // The unique index holds even for a writer that skips the check.
    expect(() =>
      t.db
        .prepare(
          `INSERT INTO advisories (id, incident_id, proto, port, origin, status, version, created_at, created_by, updated_at)
                  VALUES ('adv_x', 'in_tcp_1025_1176620400000', 'tcp', 1025, 'auto', 'draft', 1, 0, 'x', 0)`,
        )
        .run(),
    ).toThrow(/UNIQUE/);
  });

  it('keeps every version and refuses a stale base version with the current state', () => {
    const { advisory } = t.store.createAdvisory(newAdvisory());
    const edited = { ...content, title: 'Edited' };
    const a2 = t.store.addVersion(advisory.id, 1, edited, { actor: 'ana', at: 2000, change_note: 'wording' });
    expect(a2).toMatchObject({ version: 2, updated_at: 2000 });
    const stale = errorOf(() =>
      t.store.addVersion(advisory.id, 1, content, { actor: 'bob', at: 3000, change_note: 'x' }),
    );
    expect(stale).toMatchObject({ code: 'SW_CONFLICT', details: { status: 'draft', version: 2 } });
    const versions = t.store.listVersions(advisory.id);
    expect(versions.map((v) => [v.version, v.title, v.actor, v.change_note])).toEqual([
      [1, content.title, 'stormwatch', 'drafted'],
      [2, 'Edited', 'ana', 'wording'],
    ]);
    expect(t.store.getVersion(advisory.id, 1)?.fields).toEqual(content.fields);
    expect(t.store.getVersion(advisory.id, 3)).toBeUndefined();
  });

  it('changes status only from the expected one, and marks the published version', () => {
    const { advisory } = t.store.createAdvisory(newAdvisory());
    const id = advisory.id;
    t.store.setStatus(id, { from: 'draft', to: 'in_review', actor: 'ana', at: 2000, note: '' });
    const wrongFrom = errorOf(() =>
      t.store.setStatus(id, { from: 'draft', to: 'in_review', actor: 'bob', at: 2100, note: '' }),
    );
    expect(wrongFrom).toMatchObject({ code: 'SW_CONFLICT', details: { status: 'in_review', version: 1 } });
    const wrongVersion = errorOf(() =>
      t.store.setStatus(id, {
        from: 'in_review',
        to: 'published',
        actor: 'bob',
        at: 2100,
        note: '',
        expectVersion: 2,
        publish: true,
      }),
    );
    expect(wrongVersion.code).toBe('SW_CONFLICT');
    const pub = t.store.setStatus(id, {
      from: 'in_review',
      to: 'published',
      actor: 'bob',
      at: 3000,
      note: 'ok',
      publish: true,
    });
    expect(pub).toMatchObject({ status: 'published', published_version: 1, published_at: 3000 });
    expect(t.store.getVersion(id, 1)?.published_at).toBe(3000);
    const w = t.store.setStatus(id, {
      from: 'published',
      to: 'withdrawn',
      actor: 'bob',
      at: 4000,
      note: 'false positive',
    });
    expect(w).toMatchObject({ status: 'withdrawn', withdrawn_at: 4000, published_version: 1 });
    expect(
      errorOf(() => t.store.addVersion(id, 1, content, { actor: 'a', at: 5000, change_note: '' })).code,
    ).toBe('SW_CONFLICT');
    expect(
      errorOf(() =>
        t.store.setStatus('adv_0000000000000000', {
          from: 'draft',
          to: 'in_review',
          actor: 'a',
          at: 1,
          note: '',
        }),
      ).code,
    ).toBe('SW_NOT_FOUND');
  });

  it('writes an audit entry with every change, in order', () => {
    const { advisory } = t.store.createAdvisory(newAdvisory());
    t.store.addVersion(advisory.id, 1, content, { actor: 'ana', at: 2000, change_note: 'typo' });
    t.store.setStatus(advisory.id, {
      from: 'draft',
      to: 'in_review',
      actor: 'ana',
      at: 3000,
      note: 'please review',
    });
    expect(
      t.store.listAudit('advisory', advisory.id, 100).map((e) => [e.actor, e.action, e.detail, e.at]),
    ).toEqual([
      ['stormwatch', 'create', 'auto draft v1', 1000],
      ['ana', 'edit', 'v2: typo', 2000],
      ['ana', 'transition', 'draft → in_review at v2: please review', 3000],
    ]);
  });

  it('lists newest first, filtered by status', () => {
    const a = t.store.createAdvisory(newAdvisory({ at: 1000 })).advisory;
    const b = t.store.createAdvisory(newAdvisory({ incident_id: 'in_tcp_23_1', at: 2000 })).advisory;
    expect(t.store.listAdvisories({ limit: 10 }).map((x) => x.id)).toEqual([b.id, a.id]);
    t.store.setStatus(a.id, { from: 'draft', to: 'in_review', actor: 'x', at: 3000, note: '' });
    expect(t.store.listAdvisories({ limit: 10, statuses: ['in_review'] }).map((x) => x.id)).toEqual([a.id]);
    expect(t.store.listAdvisories({ limit: 10, statuses: [] })).toEqual([]);
    expect(t.store.listAdvisories({ limit: 1 })).toHaveLength(1);
  });
});

describe('notes and decisions', () => {
  const links = { ports: ['tcp/1025'], incidents: [], advisories: [], ips: ['192.0.2.7'] };

  it('edits notes with a base version, publishes them, and finds them by link', () => {
    const n = t.store.createNote({ title: 'T', body_md: 'b', links, actor: 'ana', at: 1000 });
    expect(n).toMatchObject({ status: 'draft', version: 1, published_at: null });
    const n2 = t.store.updateNote(
      n.id,
      1,
      { body_md: 'b2', links: { ...links, ports: ['udp/53'] } },
      { actor: 'bob', at: 2000 },
    );
    expect(n2).toMatchObject({ version: 2, body_md: 'b2', title: 'T', updated_by: 'bob' });
    expect(
      errorOf(() => t.store.updateNote(n.id, 1, { title: 'x' }, { actor: 'c', at: 3000 })),
    ).toMatchObject({
      code: 'SW_CONFLICT',
      details: { version: 2 },
    });
    expect(t.store.listNotes({ link: 'tcp/1025', limit: 10 })).toEqual([]);
    expect(t.store.listNotes({ link: 'udp/53', limit: 10 }).map((x) => x.id)).toEqual([n.id]);
    expect(t.store.listNotes({ link: '192.0.2.7', limit: 10 }).map((x) => x.id)).toEqual([n.id]);
    expect(t.store.listNotes({ status: 'published', limit: 10 })).toEqual([]);
    const p = t.store.setNoteStatus(n.id, 'draft', 'published', { actor: 'bob', at: 4000 });
    expect(p).toMatchObject({ status: 'published', published_at: 4000 });
    expect(
      errorOf(() => t.store.setNoteStatus(n.id, 'draft', 'published', { actor: 'bob', at: 5000 })).code,
    ).toBe('SW_CONFLICT');
    expect(t.store.listAudit('note', n.id, 10).map((e) => e.action)).toEqual([
      'create',
      'edit',
      'transition',
    ]);
  });

  it('keeps threat decisions with the suggestion of their time, newest first', () => {
    const s = { level: 'high' as const, reason: 'high incident', incidents: ['in_tcp_1025_1'] };
    const d1 = t.store.addThreatDecision({
      level: 'elevated',
      reason: 'research scan',
      actor: 'ana',
      at: 1000,
      suggestion: s,
    });
    const d2 = t.store.addThreatDecision({
      level: 'high',
      reason: 'confirmed',
      actor: 'bob',
      at: 2000,
      suggestion: s,
    });
    expect(t.store.listThreatDecisions(10)).toEqual([d2, d1]);
    expect(t.store.listAudit('threat_level', String(d1.id), 10)[0]?.detail).toBe(
      'elevated (suggested high): research scan',
    );
    expect(() =>
      t.db
        .prepare(
          `INSERT INTO threat_decisions (level, reason, actor, at, suggestion) VALUES ('panic', '', '', 0, '{}')`,
        )
        .run(),
    ).toThrow(/CHECK/);
  });
});
