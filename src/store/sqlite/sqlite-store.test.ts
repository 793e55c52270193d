import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import Database from 'better-sqlite3';
import { runStoreContract, makeBatch, ev, T0 } from '../store.contract.js';
import { openSqliteStore } from './index.js';
import { MIGRATIONS } from './migrations.js';

const logger = pino({ level: 'silent' });
const seed = new Uint8Array(16).fill(7);
const dir = mkdtempSync(join(tmpdir(), 'sw-store-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

runStoreContract('sqlite (:memory:)', () => openSqliteStore({ path: ':memory:', seed, logger }));
runStoreContract('sqlite (file, WAL)', () =>
  openSqliteStore({ path: join(dir, `c${n++}.db`), seed, logger }),
);

describe('sqlite store specifics', () => {
  it('persists across reopen and still skips applied batches', () => {
    const path = join(dir, 'reopen.db');
    const a = openSqliteStore({ path, seed, logger });
    a.applyBatches([makeBatch('batch-one', 's1', [ev(T0, 22, '1.1.1.1')])]);
    a.close();
    const b = openSqliteStore({ path, seed, logger });
    expect(b.applyBatches([makeBatch('batch-one', 's1', [ev(T0, 22, '1.1.1.1')])])).toMatchObject({
      skipped: 1,
    });
    b.applyBatches([makeBatch('batch-two', 's1', [ev(T0, 22, '1.1.1.1'), ev(T0, 22, '2.2.2.2')])]);
    expect(b.bucketRows('5m', T0)[0]).toMatchObject({ events: 3, sources: 2 });
    b.close();
    b.close(); // idempotent
  });

  it('uses WAL, synchronous=FULL and records the schema version', () => {
    const path = join(dir, 'pragmas.db');
    openSqliteStore({ path, seed, logger }).close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.at(-1)?.version);
    db.close();
  });

  it('refuses a database from a newer schema', () => {
    const path = join(dir, 'newer.db');
    const db = new Database(path);
    db.pragma('user_version = 999');
    db.close();
    expect(() => openSqliteStore({ path, seed, logger })).toThrow(/newer than this build/);
  });

  it('exposes the keyed hasher of its seed', () => {
    const s = openSqliteStore({ path: ':memory:', seed, logger });
    const other = openSqliteStore({ path: ':memory:', seed: new Uint8Array(16).fill(8), logger });
    expect(s.hasher.hash('1.2.3.4')).toBe(s.hasher.hash('1.2.3.4'));
    expect(s.hasher.hash('1.2.3.4')).not.toBe(other.hasher.hash('1.2.3.4'));
    s.close();
    other.close();
  });
});
