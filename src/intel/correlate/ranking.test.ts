import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Exploit } from '../../protocol/intel-types.js';
import { loadCurated } from '../curated/load.js';
import type { Family } from '../curated/load.js';
import { ianaRegistry } from '../registry.js';
import { DAY, tempStore, vuln } from '../test-helpers.js';
import type { TempStore } from '../test-helpers.js';
import { rangeScore, rankServices, SCORE_EXACT, SCORE_REGISTRY } from './services.js';
import { recencyScore, rankVulnerabilities } from './vulns.js';

const AT = Date.UTC(2024, 5, 1);
const families = loadCurated().families;
let t: TempStore;

beforeEach(() => {
  t = tempStore();
});
afterEach(() => t.close());

const redis = (): ReturnType<typeof rankServices> => rankServices('tcp', 6379, families, ianaRegistry());
const ids = (list: { vulnerability: { id: string } }[]): string[] => list.map((r) => r.vulnerability.id);
const exploit = (id: string, cve: string, published: number): Exploit => ({
  id,
  title: id,
  published,
  platform: 'linux',
  type: 'remote',
  port: null,
  cves: [cve],
  url: null,
  sources: [],
});

describe('service ranking', () => {
  it('puts an exact curated port above a curated range above a bare registration', () => {
    const reg = ianaRegistry();
    for (const port of [135, 445, 1025, 1500, 3389, 4000, 5000, 49152, 50000, 60000]) {
      const c = rankServices('tcp', port, families, reg).map((r) => r.candidate);
      const scores = c.map((x) => x.score);
      expect(scores, `tcp/${port}`).toEqual([...scores].sort((a, b) => b - a));
      for (const x of c) {
        const exact = x.reasons.some((r) => r.includes('is a curated port'));
        const inRange = x.reasons.some((r) => r.includes('is in the range'));
        if (exact) expect(x.score).toBeGreaterThanOrEqual(SCORE_EXACT);
        else if (inRange) expect(x.score).toBeLessThan(SCORE_EXACT);
        if (x.family === null) expect(x.score).toBe(SCORE_REGISTRY);
        else expect(x.score).toBeGreaterThan(SCORE_REGISTRY);
      }
    }
    expect(rangeScore(1025, 5000)).toBeGreaterThan(rangeScore(49152, 65535));
    expect(rangeScore(0, 65535)).toBeCloseTo(0.55, 5);
  });

  it('merges the registry into a curated entry that names the same service', () => {
    const c = rankServices('tcp', 135, families, ianaRegistry()).map((r) => r.candidate);
    expect(c.map((x) => x.name)).toEqual(['epmap']);
    expect(c[0]?.reasons.at(-1)).toMatch(/IANA registers tcp\/135 as "epmap"/);
    expect(c[0]?.sources.map((s) => s.kind)).toContain('iana');
  });

  it('lists a bare registration with the reason that it is only a registration', () => {
    const c = rankServices('tcp', 4000, families, ianaRegistry()).map((r) => r.candidate);
    expect(c.find((x) => x.family === null)).toMatchObject({ name: 'terabase', block: ['tcp/4000'] });
  });
});

describe('vulnerability ranking', () => {
  it('ranks a recent disclosure above an old one, all else equal', () => {
    t.store.upsertVulnerabilities([
      vuln('CVE-OLD', { products: ['redis:redis'], published: AT - 800 * DAY }),
      vuln('CVE-NEW', { products: ['redis:redis'], published: AT - 5 * DAY }),
    ]);
    const r = rankVulnerabilities(redis(), t.store, { at: AT });
    expect(ids(r)).toEqual(['CVE-NEW', 'CVE-OLD']);
    expect(r[0]?.reasons.join(' ')).toMatch(/within 30 days/);
    expect(r[1]?.reasons.join(' ')).toMatch(/2\.2 years before 2024-06-01/);
  });

  it('ranks KEV membership, a higher CVSS and more exploits higher, all else equal', () => {
    const p = { products: ['redis:redis'], published: AT - 100 * DAY };
    t.store.upsertVulnerabilities([
      vuln('CVE-A', p),
      vuln('CVE-KEV', { ...p, kev: { date_added: AT - 10 * DAY, due_date: null, ransomware: false } }),
      vuln('CVE-KEV-LATER', { ...p, kev: { date_added: AT + 10 * DAY, due_date: null, ransomware: false } }),
      vuln('CVE-CVSS', { ...p, cvss: { score: 9.8, version: '3.1', vector: null } }),
      vuln('CVE-X', p),
    ]);
    t.store.upsertExploits([
      exploit('EDB-1', 'CVE-X', AT - 50 * DAY),
      exploit('EDB-2', 'CVE-X', AT - 40 * DAY),
      exploit('EDB-3', 'CVE-A', AT + 5 * DAY), // after `at`: shown, not scored
    ]);
    const r = rankVulnerabilities(redis(), t.store, { at: AT });
    const score = (id: string): number => r.find((x) => x.vulnerability.id === id)?.score ?? -1;
    expect(score('CVE-KEV')).toBeGreaterThan(score('CVE-A'));
    expect(score('CVE-CVSS')).toBeGreaterThan(score('CVE-A'));
    expect(score('CVE-X')).toBeGreaterThan(score('CVE-A'));
    expect(score('CVE-KEV-LATER')).toBe(score('CVE-A'));
    expect(r.find((x) => x.vulnerability.id === 'CVE-A')?.reasons.join(' ')).toMatch(
      /0 public exploits by then, 1 later/,
    );
    for (const x of r) {
      expect(x.score).toBeGreaterThan(0);
      expect(x.score).toBeLessThanOrEqual(1);
    }
    expect(r.map((x) => x.score)).toEqual([...r.map((x) => x.score)].sort((a, b) => b - a));
  });

  it('links a platform vulnerability only when it names a keyword of the family, and nothing published after `at`', () => {
    t.store.upsertVulnerabilities([
      vuln('CVE-RPC', { products: ['microsoft:windows_xp'], description: 'A flaw in the RPC interface.' }),
      vuln('CVE-GRPC', { products: ['microsoft:windows_xp'], description: 'A gRPC flaw.' }),
      vuln('CVE-KERNEL', { products: ['microsoft:windows_xp'], description: 'A local kernel flaw.' }),
      vuln('CVE-LATER', { products: ['microsoft:windows_xp'], description: 'RPC', published: AT + DAY }),
    ]);
    const s = rankServices('tcp', 135, families, ianaRegistry());
    const r = rankVulnerabilities(s, t.store, { at: AT });
    expect(ids(r)).toEqual(['CVE-RPC']);
    expect(r[0]?.reasons.join(' ')).toMatch(/the platform of Microsoft RPC.*names "RPC"/);
  });

  it('decays recency from 1 at disclosure to 0.5 at 30 days and lower after', () => {
    expect(recencyScore(0)).toBe(1);
    expect(recencyScore(30 * DAY)).toBeCloseTo(0.5, 10);
    expect(recencyScore(15 * DAY)).toBeGreaterThan(recencyScore(29 * DAY));
    expect(recencyScore(400 * DAY)).toBeLessThan(recencyScore(31 * DAY));
  });

  it('finds nothing for a family without products or platforms', () => {
    const bare: Family = { ...families[0]!, products: [], platforms: [] };
    t.store.upsertVulnerabilities([vuln('CVE-1', { products: ['microsoft:windows'], description: 'RPC' })]);
    const s = rankServices('tcp', 135, [bare], ianaRegistry());
    expect(rankVulnerabilities(s, t.store, { at: AT })).toEqual([]);
  });
});
