/** The advisory workflow on a real SQLite store: drafting, transitions, republishing, visibility, the hook. */
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../core/clock.js';
import type { AdvisoryStatus, AdvisoryView } from '../../../protocol/advisory-types.js';
import { sampleContent, tempAdvisoryDb } from '../test-helpers.js';
import type { TempAdvisoryDb } from '../test-helpers.js';
import { AdvisoryWorkflow } from './advisory-workflow.js';
import type { PublishedHook } from './advisory-workflow.js';
import { TRANSITIONS } from './transitions.js';

const INCIDENT = 'in_tcp_1025_1176620400000';
let t: TempAdvisoryDb;
let drafts: number;
let published: AdvisoryView[];
const clock = new ManualClock(Date.parse('2030-01-01T00:00:00Z'));

function workflow(hook?: PublishedHook, logLines?: string[]): AdvisoryWorkflow {
  const logger = logLines
    ? pino({ level: 'error' }, { write: (s: string) => void logLines.push(s) })
    : pino({ level: 'silent' });
  return new AdvisoryWorkflow({
    store: t.store,
    clock,
    logger,
    draft: (id) => {
      if (id !== INCIDENT) return null;
      drafts++;
      return { proto: 'tcp', port: 1025, content: sampleContent() };
    },
    onPublished: hook ?? ((a) => void published.push(a)),
  });
}
const codeOf = (f: () => unknown): { code: string; message: string; details: Record<string, unknown> } => {
  try {
    f();
  } catch (e) {
    return e as { code: string; message: string; details: Record<string, unknown> };
  }
  throw new Error('expected an error');
};

beforeEach(() => {
  t = tempAdvisoryDb();
  drafts = 0;
  published = [];
});
afterEach(() => t.close());

describe('AdvisoryWorkflow', () => {
  it('drafts once per incident and refuses an unknown incident', () => {
    const w = workflow();
    const a = w.draftForIncident(INCIDENT);
    expect(a.created).toBe(true);
    expect(w.draftForIncident(INCIDENT)).toEqual({ advisory: a.advisory, created: false });
    expect(drafts).toBe(1); // the second call does not even compute a draft
    expect(w.draftForIncident(INCIDENT, 'ana', 'manual').created).toBe(true);
    expect(codeOf(() => w.draftForIncident('in_tcp_9_1')).code).toBe('SW_NOT_FOUND');
  });

  it('walks draft → in_review → published → updated → withdrawn, keeping every version', () => {
    const w = workflow();
    const id = w.draftForIncident(INCIDENT).advisory.id;
    w.transition(id, 'in_review', 'ana', 'ready');
    w.transition(id, 'published', 'bob', 'approved');
    expect(published.map((p) => [p.status, p.version])).toEqual([['published', 1]]);
    expect(codeOf(() => w.transition(id, 'updated', 'bob', '')).message).toMatch(/edit it first/);
    w.edit(id, 1, { summary: 'New summary.' }, 'ana', 'more sources seen');
    // The public still sees version 1 until the republication.
    expect(w.get(id, false)).toMatchObject({ version: 1, latest_version: 2, status: 'published' });
    expect(w.get(id, true)).toMatchObject({ version: 2, summary: 'New summary.' });
    expect(codeOf(() => w.get(id, false, 2)).code).toBe('SW_NOT_FOUND');
    w.transition(id, 'updated', 'bob', 'republished');
    expect(published.map((p) => [p.status, p.version, p.summary])).toEqual([
      ['published', 1, sampleContent().summary],
      ['updated', 2, 'New summary.'],
    ]);
    expect(w.get(id, false, 1).version).toBe(1);
    w.transition(id, 'withdrawn', 'bob', 'benign research scan');
    // Channels hear of the withdrawal too, with the version they had sent.
    expect(published.at(-1)).toMatchObject({ status: 'withdrawn', version: 2 });
    const h = w.history(id);
    expect(h.versions.map((v) => [v.version, v.actor, v.change_note, v.published_at !== null])).toEqual([
      [1, 'stormwatch', 'drafted automatically from the incident', true],
      [2, 'ana', 'more sources seen', true],
    ]);
    expect(h.audit.map((e) => `${e.actor} ${e.action}`)).toEqual([
      'stormwatch create',
      'ana transition',
      'bob transition',
      'ana edit',
      'bob transition',
      'bob transition',
    ]);
    expect(h.audit[0]?.at).toBe('2030-01-01T00:00:00.000Z');
    // Withdrawn is final: no edit, no transition; the public still reads what was published, marked withdrawn.
    expect(codeOf(() => w.edit(id, 2, { title: 'x' }, 'ana', '')).details).toMatchObject({
      status: 'withdrawn',
    });
    expect(w.get(id, false)).toMatchObject({ status: 'withdrawn', version: 2 });
    expect(w.list({ limit: 10 }, false)).toEqual([]);
  });

  it('tells the hook of a withdrawal only when the advisory had been public, with its published version', () => {
    const w = workflow();
    const draft = w.draftForIncident(INCIDENT).advisory.id;
    w.transition(draft, 'withdrawn', 'ana', 'duplicate');
    expect(published).toEqual([]);
    const id = w.draftForIncident(INCIDENT, 'ana', 'manual').advisory.id;
    w.transition(id, 'in_review', 'ana', '');
    w.transition(id, 'published', 'bob', '');
    w.edit(id, 1, { title: 'Unpublished edit' }, 'ana', 'not yet public');
    w.transition(id, 'withdrawn', 'bob', 'false positive');
    expect(published.map((p) => [p.status, p.version, p.title === 'Unpublished edit'])).toEqual([
      ['published', 1, false],
      ['withdrawn', 1, false],
    ]);
  });

  it('refuses every transition outside the table with the current state in details', () => {
    const w = workflow();
    const all: AdvisoryStatus[] = ['draft', 'in_review', 'published', 'updated', 'withdrawn'];
    const id = w.draftForIncident(INCIDENT).advisory.id;
    for (const to of all.filter((s) => !TRANSITIONS.draft.includes(s))) {
      const e = codeOf(() => w.transition(id, to, 'ana', ''));
      expect(e.code).toBe('SW_CONFLICT');
      expect(e.details).toMatchObject({ status: 'draft', version: 1, allowed: ['in_review', 'withdrawn'] });
    }
    expect(published).toEqual([]);
  });

  it('refuses a stale edit and a transition on a stale version', () => {
    const w = workflow();
    const id = w.draftForIncident(INCIDENT).advisory.id;
    w.edit(id, 1, { title: 'A' }, 'ana', 'a');
    expect(codeOf(() => w.edit(id, 1, { title: 'B' }, 'bob', 'b'))).toMatchObject({
      code: 'SW_CONFLICT',
      details: { status: 'draft', version: 2 },
    });
    expect(codeOf(() => w.edit(id, 0, { title: 'B' }, 'bob', 'b')).code).toBe('SW_CONFLICT');
    w.transition(id, 'in_review', 'ana', '');
    expect(codeOf(() => w.transition(id, 'published', 'bob', '', 1)).code).toBe('SW_CONFLICT');
    expect(w.transition(id, 'published', 'bob', '', 2).published_version).toBe(2);
  });

  it('hides unpublished advisories from the public', () => {
    const w = workflow();
    const id = w.draftForIncident(INCIDENT).advisory.id;
    expect(codeOf(() => w.get(id, false)).code).toBe('SW_NOT_FOUND');
    expect(w.list({ limit: 10 }, false)).toEqual([]);
    expect(w.list({ limit: 10, statuses: ['draft'] }, false)).toEqual([]);
    expect(w.list({ limit: 10 }, true)).toHaveLength(1);
    expect(w.get(id, true).created_by).toBe('stormwatch');
  });

  it('keeps the publication when the hook throws or rejects, and logs it', async () => {
    for (const hook of [
      () => {
        throw new Error('channel down');
      },
      () => Promise.reject(new Error('channel down')),
    ]) {
      t.close();
      t = tempAdvisoryDb();
      const lines: string[] = [];
      const w = workflow(hook, lines);
      const id = w.draftForIncident(INCIDENT).advisory.id;
      w.transition(id, 'in_review', 'ana', '');
      expect(w.transition(id, 'published', 'bob', '').status).toBe('published');
      await new Promise((r) => setImmediate(r));
      expect(w.get(id, false).status).toBe('published');
      expect(lines.join('')).toContain('onPublished hook failed');
      expect(lines.join('')).toContain('channel down');
    }
  });
});
