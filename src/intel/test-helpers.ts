/**
 * Test support for src/intel: a real SQLite knowledge-base store in a temporary folder, and the test data
 * folder. Not part of the build (tsconfig excludes test-helpers.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { SqliteIntelStore } from '../store/sqlite/intel.js';
import { INTEL_MIGRATION } from '../store/sqlite/migration-intel.js';
import type { Vulnerability } from '../protocol/intel-types.js';

export const TESTDATA = fileURLToPath(new URL('./import/testdata/', import.meta.url));

export interface TempStore {
  dir: string;
  db: Database.Database;
  store: SqliteIntelStore;
  close(): void;
}

/** A fresh store on a database file in a new temporary folder; close() removes both. */
export function tempStore(): TempStore {
  const dir = mkdtempSync(join(tmpdir(), 'sw-intel-'));
  const db = new Database(join(dir, 'stormwatch.db'));
  db.exec(INTEL_MIGRATION.sql);
  return {
    dir,
    db,
    store: new SqliteIntelStore(db),
    close() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const DAY = 86_400_000;

/** A vulnerability with defaults for the fields a test does not care about. */
export function vuln(id: string, o: Partial<Vulnerability> = {}): Vulnerability {
  return {
    id,
    title: `${id} title`,
    description: `${id} description`,
    published: Date.UTC(2020, 0, 1),
    cvss: null,
    kev: null,
    products: [],
    advisories: [],
    references: [],
    sources: [{ kind: 'nvd', ref: `https://nvd.nist.gov/vuln/detail/${id}` }],
    ...o,
  };
}
