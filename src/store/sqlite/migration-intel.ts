/**
 * Schema of the knowledge base (src/store/intel-store.ts) in the embedded SQLite store: appended to
 * MIGRATIONS (migrations.ts) as one numbered migration.
 *
 * Every statement is `IF NOT EXISTS`, so that a tool which opened the database file before this migration was
 * in the list (`stormwatch intel`, see src/cli/intel.ts) and made the tables itself leaves a database that the
 * numbered migration later upgrades without error.
 *
 * Tables: a record's JSON body plus the columns reads filter and sort on; the product and CVE link tables are
 * WITHOUT ROWID with the lookup column first, so a product (or a product prefix range) or a CVE id is found
 * through the primary key, and a second index on the record id makes replacing a record's links cheap.
 */
export const INTEL_MIGRATION = {
  name: 'knowledge base: vulnerabilities with their products, exploits with their CVE ids',
  sql: `
    CREATE TABLE IF NOT EXISTS intel_vulnerabilities (
      id TEXT PRIMARY KEY,
      published INTEGER NOT NULL,
      kev INTEGER NOT NULL DEFAULT 0,
      kev_added INTEGER,
      cvss REAL,
      body TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS intel_vulnerabilities_published ON intel_vulnerabilities (published);
    CREATE TABLE IF NOT EXISTS intel_vuln_products (
      product TEXT NOT NULL,
      id TEXT NOT NULL,
      PRIMARY KEY (product, id)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS intel_vuln_products_id ON intel_vuln_products (id);
    CREATE TABLE IF NOT EXISTS intel_exploits (
      id TEXT PRIMARY KEY,
      published INTEGER NOT NULL,
      body TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS intel_exploit_cves (
      cve TEXT NOT NULL,
      exploit_id TEXT NOT NULL,
      PRIMARY KEY (cve, exploit_id)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS intel_exploit_cves_exploit ON intel_exploit_cves (exploit_id);
  `,
} as const;
