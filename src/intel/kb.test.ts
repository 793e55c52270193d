import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openKnowledgeBase } from './kb.js';
import { addManualEntries } from './manual.js';
import { openIntelDb } from './open-db.js';
import { tempStore } from './test-helpers.js';
import type { TempStore } from './test-helpers.js';

let t: TempStore;
beforeEach(() => {
  t = tempStore();
});
afterEach(() => t.close());

describe('openKnowledgeBase', () => {
  it('writes the shipped entries into the store once; opening again changes nothing', () => {
    const first = openKnowledgeBase(t.store);
    expect(first.seeded).toEqual({
      vulnerabilities: { inserted: 1, updated: 0 },
      exploits: { inserted: 5, updated: 0 },
    });
    const before = t.store.getVulnerability('CVE-2007-1748');
    const again = openKnowledgeBase(t.store);
    expect(again.seeded).toEqual({
      vulnerabilities: { inserted: 0, updated: 1 },
      exploits: { inserted: 0, updated: 5 },
    });
    expect(t.store.getVulnerability('CVE-2007-1748')).toEqual(before);
    expect(t.store.counts()).toMatchObject({ vulnerabilities: 1, exploits: 5, exploit_links: 5 });
    expect(first.kb.families.map((f) => f.id)).toContain('microsoft-rpc');
  });
});

describe('manual entries', () => {
  const vulnFile = (): string => {
    const path = join(t.dir, 'cve.yaml');
    writeFileSync(
      path,
      [
        'vulnerabilities:',
        '  - id: CVE-2099-0001',
        '    title: A test entry',
        '    description: Remote overflow in the RPC interface of a test service.',
        "    published: '2099-01-02'",
        '    products: [acme:rpc_server]',
        '    sources: [https://example.org/advisory]',
      ].join('\n'),
    );
    return path;
  };

  it('adds vulnerabilities as manual knowledge, idempotently', () => {
    expect(addManualEntries(t.store, vulnFile(), 'vulnerabilities')).toEqual({ inserted: 1, updated: 0 });
    expect(addManualEntries(t.store, vulnFile(), 'vulnerabilities')).toEqual({ inserted: 0, updated: 1 });
    expect(t.store.getVulnerability('CVE-2099-0001')?.sources).toEqual([
      { kind: 'manual', ref: 'https://example.org/advisory' },
    ]);
  });

  it('refuses a file without entries of the kind, or with the other kind, writing nothing', () => {
    expect(() => addManualEntries(t.store, vulnFile(), 'exploits')).toThrow(/no exploits in the file/);
    const both = join(t.dir, 'both.json');
    writeFileSync(
      both,
      JSON.stringify({
        exploits: [
          {
            id: 'EDB-1',
            title: 't',
            published: '2099-01-03',
            platform: 'p',
            type: 'remote',
            sources: ['https://x.org/'],
          },
        ],
        vulnerabilities: [
          {
            id: 'CVE-2099-2',
            title: 't',
            description: 'd',
            published: '2099-01-02',
            products: ['a:b'],
            sources: ['https://x.org/'],
          },
        ],
      }),
    );
    expect(() => addManualEntries(t.store, both, 'exploits')).toThrow(
      /also holds vulnerabilities; add them with add-vuln/,
    );
    expect(t.store.counts()).toMatchObject({ vulnerabilities: 0, exploits: 0 });
  });
});

describe('openIntelDb', () => {
  it('makes the tables in a new file when asked, and otherwise leaves a missing file alone', () => {
    const missing = join(t.dir, 'no', 'stormwatch.db');
    const mem = openIntelDb(missing, { create: false });
    expect(mem.path).toBe(':memory:');
    mem.close();
    expect(existsSync(missing)).toBe(false);
    const made = openIntelDb(missing, { create: true });
    expect(made).toMatchObject({ path: missing, madeTables: true });
    made.close();
    const reopened = openIntelDb(missing, { create: false });
    expect(reopened.madeTables).toBe(false);
    reopened.close();
  });
});
