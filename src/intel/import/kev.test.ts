import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TESTDATA, tempStore } from '../test-helpers.js';
import type { TempStore } from '../test-helpers.js';
import { importFile } from './run.js';

const KEV = join(TESTDATA, 'known_exploited_vulnerabilities.json');
let t: TempStore;

beforeEach(() => {
  t = tempStore();
});
afterEach(() => t.close());

const write = (name: string, data: unknown): string => {
  const path = join(t.dir, name);
  writeFileSync(path, typeof data === 'string' ? data : JSON.stringify(data));
  return path;
};

describe('KEV import', () => {
  it('imports the real-format sample: KEV block, product, references, no notes', () => {
    const s = importFile('kev', KEV, t.store);
    expect(s).toMatchObject({ records: 4, imported: 4, updated: 0, skipped: 0, notes: [] });
    const v = t.store.getVulnerability('CVE-2024-40891');
    expect(v).toMatchObject({
      title: 'Zyxel DSL CPE OS Command Injection Vulnerability',
      published: Date.UTC(2025, 1, 11),
      kev: { date_added: Date.UTC(2025, 1, 11), due_date: Date.UTC(2025, 2, 4), ransomware: false },
      products: ['zyxel:dsl_cpe_devices'],
      cvss: null,
    });
    expect(v?.references).toContain('https://nvd.nist.gov/vuln/detail/CVE-2024-40891');
    expect(v?.description).toMatch(/via Telnet\.$/);
    expect(t.store.getVulnerability('CVE-2023-34192')?.products).toEqual([
      'synacor:zimbra_collaboration_suite_zcs',
    ]);
    expect(t.store.counts()).toMatchObject({ vulnerabilities: 4, kev: 4 });
  });

  it('is idempotent: a second import updates the same records and changes nothing', () => {
    importFile('kev', KEV, t.store);
    const before = t.store.getVulnerability('CVE-2025-21418');
    const s = importFile('kev', KEV, t.store);
    expect(s).toMatchObject({ imported: 0, updated: 4, skipped: 0 });
    expect(t.store.getVulnerability('CVE-2025-21418')).toEqual(before);
    expect(t.store.counts().vulnerabilities).toBe(4);
  });

  it('counts records with missing or invalid fields by reason, with the first ones shown, and keeps the rest', () => {
    const doc = JSON.parse(readFileSync(KEV, 'utf8')) as { vulnerabilities: Record<string, unknown>[] };
    const [a, b, c] = doc.vulnerabilities;
    delete a?.dateAdded;
    if (b) b.cveID = 'CVE-20X4-1';
    if (c) c.knownRansomwareCampaignUse = 'Known';
    const s = importFile('kev', write('kev.json', doc), t.store);
    expect(s).toMatchObject({ records: 4, imported: 2, skipped: 2 });
    expect(s.skipped_by_reason).toEqual({
      'missing: dateAdded': 1,
      'invalid (must be a CVE id): cveID': 1,
    });
    expect(s.samples).toEqual([
      { at: 0, where: 'record', field: 'dateAdded', reason: 'missing' },
      { at: 1, where: 'record', field: 'cveID', reason: 'invalid (must be a CVE id)' },
    ]);
    expect(s.notes).toEqual([]);
    expect(t.store.getVulnerability('CVE-2024-40891')?.kev?.ransomware).toBe(true);
  });

  it('notes a count that does not match the records', () => {
    const doc = JSON.parse(readFileSync(KEV, 'utf8')) as Record<string, unknown>;
    doc.count = 1280;
    expect(importFile('kev', write('kev.json', doc), t.store).notes).toEqual([
      'the catalogue says count 1280, the file holds 4 records',
    ]);
  });

  it('refuses whole a file that is not the catalogue, a truncated one, and one with no usable record', () => {
    const text = readFileSync(KEV, 'utf8');
    const cases: [string, RegExp][] = [
      [
        write('nvd.json', readFileSync(join(TESTDATA, 'nvdcve-2.0-sample.json'), 'utf8')),
        /not the CISA KEV catalogue/,
      ],
      [
        write('bad.json', {
          catalogVersion: '1',
          dateReleased: 'x',
          count: 1,
          vulnerabilities: [{ cveID: 'x' }],
        }),
        /no record of the file is usable \(first problem: .*cveID/,
      ],
      [
        write('cut.json', text.slice(0, Math.floor(text.length * 0.6))),
        /truncated inside record 2 of "vulnerabilities"/,
      ],
      [write('arr.json', '[]'), /not a JSON object/],
      [
        write('nohead.json', {
          vulnerabilities: (JSON.parse(text) as { vulnerabilities: unknown }).vulnerabilities,
        }),
        /"catalogVersion" is missing/,
      ],
      [
        write('noarr.json', { catalogVersion: '1', dateReleased: 'x', count: 0 }),
        /no "vulnerabilities" array/,
      ],
    ];
    for (const [path, why] of cases) {
      expect(() => importFile('kev', path, t.store), path).toThrow(why);
      expect(t.store.counts().vulnerabilities, path).toBe(0);
    }
  });
});
