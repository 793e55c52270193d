import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TESTDATA, tempStore } from '../test-helpers.js';
import type { TempStore } from '../test-helpers.js';
import { mapNvd } from './nvd.js';
import { importFile } from './run.js';

const NVD = join(TESTDATA, 'nvdcve-2.0-sample.json');
const KEV = join(TESTDATA, 'known_exploited_vulnerabilities.json');
let t: TempStore;

beforeEach(() => {
  t = tempStore();
});
afterEach(() => t.close());

interface NvdDoc {
  format: string;
  vulnerabilities: { cve: Record<string, unknown> }[];
}
const sample = (): NvdDoc => JSON.parse(readFileSync(NVD, 'utf8')) as NvdDoc;
const write = (name: string, data: unknown): string => {
  const path = join(t.dir, name);
  writeFileSync(path, typeof data === 'string' ? data : JSON.stringify(data));
  return path;
};

describe('NVD CVE 2.0 import', () => {
  it('imports the real-format sample: products from vulnerable CPEs, CVSS, advisories, KEV fields', () => {
    expect(importFile('nvd', NVD, t.store)).toMatchObject({ records: 2, imported: 2, skipped: 0 });
    const v = t.store.getVulnerability('CVE-2007-1748');
    expect(v).toMatchObject({
      published: Date.UTC(2007, 3, 13, 18, 19),
      cvss: { score: 10, version: '2.0', vector: 'AV:N/AC:L/Au:N/C:C/I:C/A:C' },
      kev: null,
      products: ['microsoft:windows_2000', 'microsoft:windows_2003_server'],
      advisories: ['MS07-029'],
      sources: [{ kind: 'nvd', ref: 'https://nvd.nist.gov/vuln/detail/CVE-2007-1748' }],
    });
    expect(v?.description).toMatch(/^Stack-based buffer overflow in the RPC interface/);
    expect(v?.references).toHaveLength(15); // 32 entries: 16 URLs from two sources, one of them twice
    const z = t.store.getVulnerability('CVE-2024-40891');
    expect(z).toMatchObject({
      title: 'Zyxel DSL CPE OS Command Injection Vulnerability',
      cvss: { score: 8.8, version: '3.1' },
      kev: { date_added: Date.UTC(2025, 1, 11), due_date: Date.UTC(2025, 2, 4), ransomware: false },
      // only the vulnerable firmware, not the hardware it runs on
      products: ['zyxel:vmg1312-b10a_firmware', 'zyxel:vmg4325-b10a_firmware'],
    });
  });

  it('takes the newest CVSS version given, its Primary entry first', () => {
    const doc = sample();
    const cve = doc.vulnerabilities[0]?.cve ?? {};
    const entry = (version: string, score: number, type: string): unknown => ({
      type,
      cvssData: { version, baseScore: score, vectorString: `v${version}/${type}` },
    });
    cve.metrics = {
      cvssMetricV2: [entry('2.0', 5, 'Primary')],
      cvssMetricV30: [entry('3.0', 6, 'Secondary'), entry('3.0', 7, 'Primary')],
    };
    const m = mapNvd({ cve });
    expect(m.ok && m.value.cvss).toEqual({ score: 7, version: '3.0', vector: 'v3.0/Primary' });
  });

  it('merges with a KEV import in either order: NVD dates and CVSS, the KEV block with its ransomware flag', () => {
    const kev = JSON.parse(readFileSync(KEV, 'utf8')) as { vulnerabilities: Record<string, unknown>[] };
    for (const v of kev.vulnerabilities) v.knownRansomwareCampaignUse = 'Known';
    const kevPath = write('kev.json', kev);
    importFile('kev', kevPath, t.store);
    importFile('nvd', NVD, t.store);
    const a = t.store.getVulnerability('CVE-2024-40891');
    importFile('kev', kevPath, t.store);
    const b = t.store.getVulnerability('CVE-2024-40891');
    for (const v of [a, b]) {
      expect(v?.published).toBe(Date.UTC(2025, 1, 4, 10, 15, 8, 920));
      expect(v?.cvss?.score).toBe(8.8);
      expect(v?.kev?.ransomware).toBe(true);
      expect(v?.products).toEqual(
        expect.arrayContaining(['zyxel:dsl_cpe_devices', 'zyxel:vmg4325-b10a_firmware']),
      );
      expect(v?.sources.map((s) => s.kind).sort()).toEqual(['cisa-kev', 'nvd']);
    }
    expect(b).toEqual(a);
  });

  it('counts rejected CVEs and records with missing fields, and keeps the others', () => {
    const doc = sample();
    const [a, b] = doc.vulnerabilities;
    if (a) a.cve.vulnStatus = 'Rejected';
    if (b) delete b.cve.published;
    const extra = JSON.parse(JSON.stringify(b)) as { cve: Record<string, unknown> };
    extra.cve.id = 'CVE-2024-99999';
    extra.cve.published = '2025-02-30T00:00:00';
    const ok = JSON.parse(JSON.stringify(a)) as { cve: Record<string, unknown> };
    ok.cve.vulnStatus = 'Analyzed';
    ok.cve.id = 'CVE-2007-9999';
    doc.vulnerabilities.push(extra, ok);
    const s = importFile('nvd', write('nvd.json', doc), t.store);
    expect(s).toMatchObject({ records: 4, imported: 1, skipped: 3 });
    expect(s.skipped_by_reason).toEqual({
      'rejected CVE: cve.vulnStatus': 1,
      'missing: cve.published': 1,
      'invalid (must be an ISO date-time): cve.published': 1,
    });
    expect(s.samples.map((x) => x.at)).toEqual([0, 1, 2]);
  });

  it('refuses whole other formats and truncated files, changing nothing', () => {
    const text = readFileSync(NVD, 'utf8');
    const other = sample();
    other.format = 'CVE_RECORD';
    const cases: [string, RegExp][] = [
      [write('fmt.json', other), /not NVD CVE data: format is "CVE_RECORD"/],
      [write('v1.json', { CVE_data_type: 'CVE', CVE_Items: [] }), /no "vulnerabilities" array/],
      [write('kev.json', readFileSync(KEV, 'utf8')), /no record of the file is usable/],
      [write('cut.json', text.slice(0, text.length - 40)), /truncated|found the end of the file/],
      [write('junk.json', `${text}\n{}`), /data after the end of the JSON object/],
    ];
    for (const [path, why] of cases) {
      expect(() => importFile('nvd', path, t.store), path).toThrow(why);
      expect(t.store.counts().vulnerabilities, path).toBe(0);
    }
  });
});
