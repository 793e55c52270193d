import { describe, expect, it } from 'vitest';
import type { Exploit } from '../protocol/intel-types.js';
import { mergeExploit, mergeVulnerability, publicationKnown } from './merge.js';
import { vuln } from './test-helpers.js';

const kevOnly = vuln('CVE-1', {
  title: 'KEV name',
  description: 'KEV text',
  published: Date.UTC(2022, 0, 10),
  kev: { date_added: Date.UTC(2022, 0, 10), due_date: null, ransomware: true },
  products: ['acme:box'],
  sources: [{ kind: 'cisa-kev', ref: 'k' }],
});
const nvd = vuln('CVE-1', {
  title: 'NVD title',
  description: 'NVD text',
  published: Date.UTC(2020, 5, 1),
  cvss: { score: 9.8, version: '3.1', vector: null },
  kev: { date_added: Date.UTC(2022, 0, 10), due_date: null, ransomware: false },
  products: ['acme:box_firmware'],
  references: ['https://a/'],
});
const curated = vuln('CVE-1', {
  title: 'Reviewed title',
  published: Date.UTC(2020, 4, 30),
  products: ['acme:box'],
  sources: [{ kind: 'curated', ref: 'c' }],
});

describe('merge', () => {
  it('takes dates and text from the more trusted source, in either order', () => {
    for (const m of [mergeVulnerability(kevOnly, nvd), mergeVulnerability(nvd, kevOnly)]) {
      expect(m.published).toBe(Date.UTC(2020, 5, 1));
      expect(m.title).toBe('NVD title');
      expect(m.cvss?.score).toBe(9.8);
      expect(m.kev?.ransomware).toBe(true);
      expect(m.products.sort()).toEqual(['acme:box', 'acme:box_firmware']);
      expect(publicationKnown(m)).toBe(true);
    }
    const m = mergeVulnerability(mergeVulnerability(nvd, curated), nvd);
    expect(m.title).toBe('Reviewed title');
    expect(m.published).toBe(Date.UTC(2020, 4, 30));
    expect(m.cvss?.score).toBe(9.8); // the curated entry has none: filled from NVD
    expect(m.sources.map((s) => s.kind)).toEqual(['nvd', 'curated']);
  });

  it('is idempotent', () => {
    const once = mergeVulnerability(nvd, kevOnly);
    expect(mergeVulnerability(once, kevOnly)).toEqual(once);
    expect(publicationKnown(kevOnly)).toBe(false);
  });

  it('merges exploits: incoming fields, lists unioned', () => {
    const a: Exploit = {
      id: 'EDB-1',
      title: 'old',
      published: 1,
      platform: 'p',
      type: 'remote',
      port: 1,
      cves: ['CVE-1'],
      url: 'https://u/',
      sources: [{ kind: 'curated', ref: 'c' }],
    };
    const b: Exploit = {
      ...a,
      title: 'new',
      cves: ['CVE-2'],
      url: null,
      sources: [{ kind: 'exploit-db', ref: 'e' }],
    };
    expect(mergeExploit(a, b)).toEqual({
      ...b,
      cves: ['CVE-1', 'CVE-2'],
      url: 'https://u/',
      sources: [...a.sources, ...b.sources],
    });
  });
});
