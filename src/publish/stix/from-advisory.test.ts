/**
 * Published advisories from the real SQLite advisory store as STIX input: only published (and updated)
 * advisories with a published version, CVE ids only, block ranges as proto/port[-port], publication times;
 * the result makes valid STIX.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdvisoryContent, AdvisoryFields } from '../../protocol/advisory-types.js';
import { SqliteAdvisoryStore } from '../../store/sqlite/advisories.js';
import { ADVISORY_MIGRATION } from '../../store/sqlite/migration-advisories.js';
import { advisoryObjects } from './advisory.js';
import { publishedAdvisories } from './from-advisory.js';
import { makeBundle, makeIdentity } from './objects.js';
import { validateStix } from './validate.js';

const dir = mkdtempSync(join(tmpdir(), 'sw-stix-advisories-'));
const db = new Database(join(dir, 'a.db'));
db.exec(ADVISORY_MIGRATION.sql);
const store = new SqliteAdvisoryStore(db);
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

// Only the fields the mapping reads; the store keeps fields as opaque JSON.
const fields = {
  schema: 1,
  vulnerabilities: [{ id: 'CVE-2007-1748' }, { id: 'MS07-029' }],
  exploit_count: 2,
  recommendations: {
    block: [
      { proto: 'tcp', from: 135, to: 135, reasons: [] },
      { proto: 'tcp', from: 1025, to: 5000, reasons: [] },
    ],
    actions: [],
  },
} as unknown as AdvisoryFields;
const content = (title: string): AdvisoryContent => ({
  title,
  summary: 'Rising across operators.',
  body_md: '',
  fields,
});

function advisory(incident: string, port: number, at: number): string {
  return store.createAdvisory({
    incident_id: incident,
    proto: 'tcp',
    port,
    origin: 'auto',
    content: content(`Activity on tcp/${port}`),
    actor: 'stormwatch',
    at,
    change_note: 'drafted',
  }).advisory.id;
}

function publish(id: string, at: number): void {
  store.setStatus(id, { from: 'draft', to: 'in_review', actor: 'ana', at, note: '' });
  store.setStatus(id, {
    from: 'in_review',
    to: 'published',
    actor: 'ana',
    at: at + 1,
    note: '',
    publish: true,
  });
}

let ids: string[];
beforeAll(() => {
  ids = [advisory('in_1', 1025, 1000), advisory('in_2', 445, 2000), advisory('in_3', 23, 3000)];
  publish(ids[0] ?? '', 10_000);
  publish(ids[2] ?? '', 20_000);
  store.setStatus(ids[2] ?? '', { from: 'published', to: 'withdrawn', actor: 'ana', at: 30_000, note: 'no' });
});

describe('publishedAdvisories', () => {
  it('takes only published advisories, their CVEs and block ranges', () => {
    const list = publishedAdvisories(store);
    expect(list).toEqual([
      {
        id: ids[0],
        title: 'Activity on tcp/1025',
        summary: 'Rising across operators.',
        published: 10_001,
        updated: 10_001,
        proto: 'tcp',
        port: 1025,
        cves: ['CVE-2007-1748'],
        exploit_count: 2,
        block: ['tcp/135', 'tcp/1025-5000'],
      },
    ]);
    const identity = makeIdentity();
    const objects = list.flatMap((a) => advisoryObjects(a, identity));
    expect(validateStix(makeBundle([identity, ...objects]))).toEqual([]);
  });
});
