/** Migration 2 on a real version-1 database file: operator strings become operator records, ids public. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate, MIGRATIONS } from './migrations.js';
import { openSqliteStore } from './index.js';

const logger = pino({ level: 'silent' });
const seed = new Uint8Array(16).fill(3);
const dir = mkdtempSync(join(tmpdir(), 'sw-migrate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const V1 = MIGRATIONS.filter((m) => m.version === 1);

function versionOneDatabase(path: string): void {
  const db = new Database(path);
  expect(migrate(db, V1)).toBe(1);
  const sensor = db.prepare(
    `INSERT INTO sensors (id, name, operator, public_key_pem, created_at, last_seen, events_total, revoked)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  sensor.run('s_aaaaaaaaaaaa', 'edge 1', 'acme', 'PEM-A', 2000, 5000, 17, 0);
  sensor.run('s_bbbbbbbbbbbb', 'edge 2', 'acme', 'PEM-B', 1000, null, 0, 1);
  sensor.run('s_cccccccccccc', 'lab', 'beta', 'PEM-C', 3000, 6000, 4, 0);
  const token = db.prepare(
    'INSERT INTO enrollment_tokens (token_hash, operator, expires_at) VALUES (?, ?, ?)',
  );
  token.run('hash-gamma', 'gamma', 9_000_000_000_000);
  token.run('hash-acme', 'acme', 9_000_000_000_000);
  db.close();
}

describe('migration 2 (operators, public ids, key rotation)', () => {
  it('turns each distinct operator string of version 1 into an operator and keeps every sensor', () => {
    const path = join(dir, 'v1.db');
    versionOneDatabase(path);
    let publicOperatorIds: string[] = [];
    const store = openSqliteStore({ path, seed, logger });
    try {
      const ops = store.listOperators();
      expect(ops.map((o) => o.name).sort()).toEqual(['acme', 'beta', 'gamma']);
      const byName = new Map(ops.map((o) => [o.name, o]));
      const acme = byName.get('acme');
      expect(acme?.created_at).toBe(1000); // its first sensor
      for (const o of ops) {
        expect(o.id).toMatch(/^o_[0-9a-f]{16}$/);
        expect(o.public_id).toMatch(/^po_[0-9a-f]{16}$/);
      }
      expect(new Set(ops.map((o) => o.id)).size).toBe(3);
      expect(new Set(ops.map((o) => o.public_id)).size).toBe(3);
      publicOperatorIds = ops.map((o) => o.public_id).sort();

      expect(store.getSensor('s_aaaaaaaaaaaa')).toEqual({
        id: 's_aaaaaaaaaaaa',
        public_id: expect.stringMatching(/^ps_[0-9a-f]{16}$/) as string,
        name: 'edge 1',
        operator: acme?.id,
        public_key_pem: 'PEM-A',
        pending_public_key_pem: null,
        previous_public_key_pem: null,
        previous_key_valid_until: null,
        created_at: 2000,
        last_seen: 5000,
        events_total: 17,
        revoked: false,
        // Migration 11: sensors from before it count as one address until they say.
        watched_addresses: 1,
      });
      expect(store.getSensor('s_bbbbbbbbbbbb')).toMatchObject({ operator: acme?.id, revoked: true });
      expect(store.getSensor('s_cccccccccccc')?.operator).toBe(byName.get('beta')?.id);
      const publicIds = store.listSensors().map((s) => s.public_id);
      expect(new Set(publicIds).size).toBe(3);

      // Unused tokens now name their operator by id.
      expect(store.consumeEnrollmentToken('hash-gamma', 0)).toBe(byName.get('gamma')?.id);
      expect(store.consumeEnrollmentToken('hash-acme', 0)).toBe(acme?.id);
      // The migrated operator is found by name, not made again.
      expect(store.ensureOperator('acme', 99)).toEqual({ operator: acme, created: false });
    } finally {
      store.close();
    }
    // Reopening changes nothing: public ids are stored, not recomputed.
    const raw = new Database(path, { readonly: true });
    const stored = raw
      .prepare<[], { p: string }>("SELECT public_id AS p FROM sensors WHERE id = 's_aaaaaaaaaaaa'")
      .get()?.p;
    raw.close();
    const again = openSqliteStore({ path, seed, logger });
    try {
      expect(stored).toMatch(/^ps_/);
      expect(again.getSensor('s_aaaaaaaaaaaa')?.public_id).toBe(stored);
      expect(
        again
          .listOperators()
          .map((o) => o.public_id)
          .sort(),
      ).toEqual(publicOperatorIds);
    } finally {
      again.close();
    }
  });

  it('migrates an empty version-1 database', () => {
    const path = join(dir, 'empty.db');
    const db = new Database(path);
    migrate(db, V1);
    db.close();
    const store = openSqliteStore({ path, seed, logger });
    expect(store.listOperators()).toEqual([]);
    expect(store.listSensors()).toEqual([]);
    store.close();
  });
});
