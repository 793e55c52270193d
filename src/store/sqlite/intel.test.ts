import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Exploit, Vulnerability } from '../../protocol/intel-types.js';
import { ensureIntelTables, SqliteIntelStore } from './intel.js';
import { INTEL_MIGRATION } from './migration-intel.js';
import { migrate, MIGRATIONS } from './migrations.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2007, 3, 16);

function vuln(id: string, o: Partial<Vulnerability> = {}): Vulnerability {
  return {
    id,
    title: `${id} title`,
    description: `${id} description`,
    published: T0,
    cvss: null,
    kev: null,
    products: [],
    advisories: [],
    references: [],
    sources: [{ kind: 'test', ref: 'unit' }],
    ...o,
  };
}

function exploit(id: string, cves: string[], published = T0): Exploit {
  return {
    id,
    title: id,
    published,
    platform: 'windows',
    type: 'remote',
    port: null,
    cves,
    url: null,
    sources: [],
  };
}

let dir: string;
let db: Database.Database;
let store: SqliteIntelStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sw-intel-store-'));
  db = new Database(join(dir, 'stormwatch.db'));
  db.exec(INTEL_MIGRATION.sql);
  store = new SqliteIntelStore(db);
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SqliteIntelStore', () => {
  it('round-trips vulnerabilities and exploits, counting inserts and updates', () => {
    const v = vuln('CVE-2007-1748', {
      cvss: { score: 10, version: '2.0', vector: 'AV:N/AC:L/Au:N/C:C/I:C/A:C' },
      kev: { date_added: T0, due_date: null, ransomware: true },
      products: ['Microsoft:Windows_2000', 'microsoft:dns_server'],
    });
    expect(store.upsertVulnerabilities([v])).toEqual({ inserted: 1, updated: 0 });
    expect(store.getVulnerability('CVE-2007-1748')).toEqual(v);
    expect(store.upsertVulnerabilities([v, vuln('CVE-2000-0001')])).toEqual({ inserted: 1, updated: 1 });
    const x = exploit('EDB-3737', ['CVE-2007-1748', 'cve-2007-1748']);
    expect(store.upsertExploits([x])).toEqual({ inserted: 1, updated: 0 });
    expect(store.getExploit('EDB-3737')).toEqual(x);
    expect(store.getExploit('EDB-1')).toBeNull();
    expect(store.getVulnerability('CVE-1999-0001')).toBeNull();
    expect(store.counts()).toEqual({
      vulnerabilities: 2,
      kev: 1,
      exploits: 1,
      products: 2,
      exploit_links: 1,
    });
  });

  it('replaces the product rows of a record on upsert', () => {
    store.upsertVulnerabilities([vuln('CVE-1', { products: ['a:x'] })]);
    store.upsertVulnerabilities([vuln('CVE-1', { products: ['b:y'] })]);
    expect(store.vulnerabilitiesFor({ products: ['a:x'] })).toEqual([]);
    expect(store.vulnerabilitiesFor({ products: ['b:y'] }).map((v) => v.id)).toEqual(['CVE-1']);
  });

  it('matches exact products and prefixes, newest first, once each, within the time window', () => {
    store.upsertVulnerabilities([
      vuln('CVE-A', {
        products: ['microsoft:windows_2000', 'microsoft:windows_xp'],
        published: T0 - 5 * DAY,
      }),
      vuln('CVE-B', { products: ['microsoft:windows'], published: T0 - 1 * DAY }),
      vuln('CVE-C', { products: ['microsoft:windowsfoo'], published: T0 + 10 * DAY }),
      vuln('CVE-D', { products: ['microsoft:office'], published: T0 }),
      vuln('CVE-E', { products: ['microsofta:windows'], published: T0 }),
    ]);
    const ids = (q: Parameters<SqliteIntelStore['vulnerabilitiesFor']>[0]): string[] =>
      store.vulnerabilitiesFor(q).map((v) => v.id);
    expect(ids({ products: ['microsoft:windows*'] })).toEqual(['CVE-C', 'CVE-B', 'CVE-A']);
    expect(ids({ products: ['microsoft:windows'] })).toEqual(['CVE-B']);
    expect(ids({ products: ['microsoft:windows*'], until: T0 })).toEqual(['CVE-B', 'CVE-A']);
    expect(ids({ products: ['microsoft:windows*'], since: T0 - 2 * DAY, until: T0 })).toEqual(['CVE-B']);
    expect(ids({ products: ['microsoft:windows*'], limit: 1 })).toEqual(['CVE-C']);
    expect(ids({ products: ['microsoft:office', 'microsoft:windows_xp'] })).toEqual(['CVE-D', 'CVE-A']);
    expect(ids({ products: [] })).toEqual([]);
    expect(ids({ products: ['*'] })).toEqual([]);
  });

  it('filters by keywords in title or description, case-insensitively', () => {
    store.upsertVulnerabilities([
      vuln('CVE-1', { products: ['microsoft:windows'], description: 'overflow in the RPC interface' }),
      vuln('CVE-2', { products: ['microsoft:windows'], title: 'DNS Server spoofing' }),
      vuln('CVE-3', { products: ['microsoft:windows'], description: 'a kernel bug' }),
    ]);
    const ids = store
      .vulnerabilitiesFor({ products: ['microsoft:windows*'], keywords: ['rpc', 'dns server'] })
      .map((v) => v.id)
      .sort();
    expect(ids).toEqual(['CVE-1', 'CVE-2']);
  });

  it('finds exploits by CVE id, each once, oldest first', () => {
    store.upsertExploits([
      exploit('EDB-2', ['CVE-1', 'CVE-2'], T0 + DAY),
      exploit('EDB-1', ['CVE-1'], T0),
      exploit('EDB-3', ['CVE-3'], T0),
    ]);
    expect(store.exploitsFor(['cve-1', 'CVE-2']).map((x) => x.id)).toEqual(['EDB-1', 'EDB-2']);
    expect(store.exploitsFor([])).toEqual([]);
    const many = Array.from({ length: 1000 }, (_, i) => `CVE-X-${i}`).concat(['CVE-3']);
    expect(store.exploitsFor(many).map((x) => x.id)).toEqual(['EDB-3']);
  });

  it('keeps nothing of a transaction that throws', () => {
    expect(() =>
      store.transaction(() => {
        store.upsertVulnerabilities([vuln('CVE-1', { products: ['a:b'] })]);
        throw new Error('stop');
      }),
    ).toThrow('stop');
    expect(store.counts().vulnerabilities).toBe(0);
    expect(store.vulnerabilitiesFor({ products: ['a:b'] })).toEqual([]);
  });

  it('makes the tables on a database without them, and leaves an existing schema alone', () => {
    const other = new Database(join(dir, 'other.db'));
    try {
      expect(ensureIntelTables(other)).toBe(true);
      expect(ensureIntelTables(other)).toBe(false);
      other.exec(INTEL_MIGRATION.sql); // the numbered migration runs later without error
      new SqliteIntelStore(other).upsertVulnerabilities([vuln('CVE-1')]);
    } finally {
      other.close();
    }
  });

  it('lets the numbered migrations run over tables the intel commands made first, keeping their rows', () => {
    const other = new Database(join(dir, 'early.db'));
    try {
      ensureIntelTables(other);
      new SqliteIntelStore(other).upsertVulnerabilities([vuln('CVE-1', { products: ['a:b'] })]);
      expect(migrate(other)).toBe(MIGRATIONS.at(-1)?.version);
      const again = new SqliteIntelStore(other);
      expect(again.vulnerabilitiesFor({ products: ['a:b'] }).map((v) => v.id)).toEqual(['CVE-1']);
    } finally {
      other.close();
    }
  });

  it('answers a prefix query through the product index, not a table scan', () => {
    const plan = db
      .prepare(
        "EXPLAIN QUERY PLAN SELECT id FROM intel_vuln_products WHERE product >= 'microsoft:windows' AND product < 'microsoft:windows\uffff'",
      )
      .all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/SEARCH intel_vuln_products USING PRIMARY KEY/);
  });
});
