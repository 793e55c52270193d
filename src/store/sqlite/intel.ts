/**
 * IntelStore (src/store/intel-store.ts) on a better-sqlite3 connection: the tables of migration-intel.ts.
 *
 * Invariants:
 * - A vulnerability's product rows and an exploit's CVE rows are replaced together with the record, in one
 *   transaction (a savepoint when the caller already opened one).
 * - Product queries become an exact key lookup (`product = ?`) or a key range (`product >= prefix AND
 *   product < prefix || U+FFFF`) on the primary key of intel_vuln_products; keyword conditions only filter
 *   the records the products found. Statements are prepared once per query shape.
 */
import type Database from 'better-sqlite3';
import { makeError } from '../../core/errors.js';
import type { Exploit, Vulnerability } from '../../protocol/intel-types.js';
import type { IntelCounts, IntelStore, UpsertResult, VulnerabilityQuery } from '../intel-store.js';
import { INTEL_MIGRATION } from './migration-intel.js';

const DEFAULT_LIMIT = 500;
/** Bound parameters per IN list (SQLite's default limit is far higher; this keeps statements small). */
const IN_CHUNK = 400;

/**
 * Creates the knowledge-base tables when the database has none (a tool opening the store file directly).
 * @returns true when it made them.
 */
export function ensureIntelTables(db: Database.Database): boolean {
  const row = db
    .prepare("SELECT 1 AS one FROM sqlite_master WHERE type = 'table' AND name = 'intel_vulnerabilities'")
    .get();
  if (row !== undefined) return false;
  db.exec(INTEL_MIGRATION.sql);
  return true;
}

const lower = (list: readonly string[]): string[] => [...new Set(list.map((s) => s.toLowerCase()))];

function prepare(db: Database.Database) {
  return {
    vulnExists: db.prepare<[string], { one: number }>(
      'SELECT 1 AS one FROM intel_vulnerabilities WHERE id = ?',
    ),
    putVuln: db.prepare(
      `INSERT INTO intel_vulnerabilities (id, published, kev, kev_added, cvss, body) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET published = excluded.published, kev = excluded.kev,
           kev_added = excluded.kev_added, cvss = excluded.cvss, body = excluded.body`,
    ),
    dropProducts: db.prepare('DELETE FROM intel_vuln_products WHERE id = ?'),
    putProduct: db.prepare('INSERT OR IGNORE INTO intel_vuln_products (product, id) VALUES (?, ?)'),
    getVuln: db.prepare<[string], { body: string }>('SELECT body FROM intel_vulnerabilities WHERE id = ?'),
    exploitExists: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM intel_exploits WHERE id = ?'),
    putExploit: db.prepare(
      `INSERT INTO intel_exploits (id, published, body) VALUES (?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET published = excluded.published, body = excluded.body`,
    ),
    dropCves: db.prepare('DELETE FROM intel_exploit_cves WHERE exploit_id = ?'),
    putCve: db.prepare('INSERT OR IGNORE INTO intel_exploit_cves (cve, exploit_id) VALUES (?, ?)'),
    getExploit: db.prepare<[string], { body: string }>('SELECT body FROM intel_exploits WHERE id = ?'),
    count: db.prepare<[], { v: number; k: number; e: number; p: number; l: number }>(
      `SELECT (SELECT COUNT(*) FROM intel_vulnerabilities) AS v,
                (SELECT COUNT(*) FROM intel_vulnerabilities WHERE kev = 1) AS k,
                (SELECT COUNT(*) FROM intel_exploits) AS e,
                (SELECT COUNT(DISTINCT product) FROM intel_vuln_products) AS p,
                (SELECT COUNT(*) FROM intel_exploit_cves) AS l`,
    ),
  };
}

export class SqliteIntelStore implements IntelStore {
  private readonly queries = new Map<string, Database.Statement>();
  private readonly s: ReturnType<typeof prepare>;

  constructor(private readonly db: Database.Database) {
    this.s = prepare(db);
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  upsertVulnerabilities(list: readonly Vulnerability[]): UpsertResult {
    return this.transaction(() => {
      const r = { inserted: 0, updated: 0 };
      for (const v of list) {
        if (this.s.vulnExists.get(v.id) === undefined) r.inserted++;
        else r.updated++;
        this.s.putVuln.run(
          v.id,
          v.published,
          v.kev === null ? 0 : 1,
          v.kev?.date_added ?? null,
          v.cvss?.score ?? null,
          JSON.stringify(v),
        );
        this.s.dropProducts.run(v.id);
        for (const p of lower(v.products)) this.s.putProduct.run(p, v.id);
      }
      return r;
    });
  }

  upsertExploits(list: readonly Exploit[]): UpsertResult {
    return this.transaction(() => {
      const r = { inserted: 0, updated: 0 };
      for (const x of list) {
        if (this.s.exploitExists.get(x.id) === undefined) r.inserted++;
        else r.updated++;
        this.s.putExploit.run(x.id, x.published, JSON.stringify(x));
        this.s.dropCves.run(x.id);
        for (const c of new Set(x.cves.map((c) => c.toUpperCase()))) this.s.putCve.run(c, x.id);
      }
      return r;
    });
  }

  getVulnerability(id: string): Vulnerability | null {
    const row = this.s.getVuln.get(id);
    return row === undefined ? null : (JSON.parse(row.body) as Vulnerability);
  }

  getExploit(id: string): Exploit | null {
    const row = this.s.getExploit.get(id);
    return row === undefined ? null : (JSON.parse(row.body) as Exploit);
  }

  vulnerabilitiesFor(q: VulnerabilityQuery): Vulnerability[] {
    const products = lower(q.products).filter((p) => p !== '' && p !== '*');
    if (products.length === 0) return [];
    const keywords = lower(q.keywords ?? []).filter((k) => k !== '');
    const params: (string | number)[] = [];
    const parts: string[] = [];
    for (const p of products) {
      if (p.endsWith('*')) {
        const prefix = p.slice(0, -1);
        parts.push('SELECT id FROM intel_vuln_products WHERE product >= ? AND product < ?');
        params.push(prefix, `${prefix}\uffff`);
      } else {
        parts.push('SELECT id FROM intel_vuln_products WHERE product = ?');
        params.push(p);
      }
    }
    params.push(q.since ?? Number.MIN_SAFE_INTEGER, q.until ?? Number.MAX_SAFE_INTEGER, ...keywords);
    params.push(q.limit ?? DEFAULT_LIMIT);
    const shape = `${products.map((p) => (p.endsWith('*') ? 'r' : 'e')).join('')}|${keywords.length}`;
    let stmt = this.queries.get(shape);
    if (stmt === undefined) {
      const text =
        "lower(coalesce(json_extract(v.body, '$.title'), '') || ' ' || coalesce(json_extract(v.body, '$.description'), ''))";
      const kw =
        keywords.length === 0 ? '' : `AND (${keywords.map(() => `instr(${text}, ?) > 0`).join(' OR ')})`;
      stmt = this.db.prepare(
        `SELECT v.body AS body FROM intel_vulnerabilities v
         WHERE v.id IN (${parts.join(' UNION ')}) AND v.published >= ? AND v.published <= ? ${kw}
         ORDER BY v.published DESC, v.id LIMIT ?`,
      );
      this.queries.set(shape, stmt);
    }
    return (stmt.all(...params) as { body: string }[]).map((r) => JSON.parse(r.body) as Vulnerability);
  }

  exploitsFor(cveIds: readonly string[]): Exploit[] {
    const ids = [...new Set(cveIds.map((c) => c.toUpperCase()))];
    const found = new Map<string, Exploit>();
    for (let i = 0; i < ids.length; i += IN_CHUNK) {
      const chunk = ids.slice(i, i + IN_CHUNK);
      const rows = this.db
        .prepare(
          `SELECT DISTINCT e.id AS id, e.body AS body FROM intel_exploit_cves c
           JOIN intel_exploits e ON e.id = c.exploit_id WHERE c.cve IN (${chunk.map(() => '?').join(', ')})`,
        )
        .all(...chunk) as { id: string; body: string }[];
      for (const r of rows) if (!found.has(r.id)) found.set(r.id, JSON.parse(r.body) as Exploit);
    }
    return [...found.values()].sort((a, b) => a.published - b.published || a.id.localeCompare(b.id));
  }

  counts(): IntelCounts {
    const r = this.s.count.get();
    if (r === undefined) throw makeError('SW_INTERNAL', 'the knowledge-base count query returned no row');
    return { vulnerabilities: r.v, kev: r.k, exploits: r.e, products: r.p, exploit_links: r.l };
  }
}
