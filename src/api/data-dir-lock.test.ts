import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCK_FILE, lockDataDir, sqliteInUse } from './data-dir-lock.js';

const root = mkdtempSync(join(tmpdir(), 'sw-lock-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const lockInfo = (pid: number, host = hostname()) =>
  JSON.stringify({ pid, host, purpose: 'test', started_at: new Date().toISOString(), token: 'x' });

describe('data folder lock', () => {
  it('lets one holder in at a time and removes its file on release', () => {
    const dir = join(root, 'a');
    const lock = lockDataDir(dir, 'stormwatch import');
    expect(JSON.parse(readFileSync(lock.path, 'utf8'))).toMatchObject({
      pid: process.pid,
      purpose: 'stormwatch import',
    });
    expect(() => lockDataDir(dir, 'another import')).toThrow(/in use: stormwatch import \(pid \d+/);
    lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    lockDataDir(dir, 'again').release();
  });

  it('takes over a lock whose process is gone, never one of a live process or another host', () => {
    const dir = join(root, 'b');
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    lockDataDir(dir, 'first').release();
    writeFileSync(join(dir, LOCK_FILE), lockInfo(gone));
    const lock = lockDataDir(dir, 'after a crash');
    expect(JSON.parse(readFileSync(lock.path, 'utf8'))).toMatchObject({ pid: process.pid });
    lock.release();
    writeFileSync(join(dir, LOCK_FILE), lockInfo(process.ppid));
    expect(() => lockDataDir(dir, 'x')).toThrow(/in use/);
    writeFileSync(join(dir, LOCK_FILE), lockInfo(gone, 'another-host'));
    expect(() => lockDataDir(dir, 'x')).toThrow(/on another-host/);
    writeFileSync(join(dir, LOCK_FILE), '{"pid":');
    expect(() => lockDataDir(dir, 'x')).toThrow(/cannot be read/);
    // A refused attempt leaves the holder's file alone.
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe('{"pid":');
  });

  it('sees a database another connection keeps open (a server without the lock) and lets go after', () => {
    const dir = join(root, 'c');
    lockDataDir(dir, 'make').release();
    const file = join(dir, 'stormwatch.db');
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (a)');
    expect(sqliteInUse(file)).toBe(true);
    expect(() => lockDataDir(dir, 'stormwatch import', ['stormwatch.db', 'bus.db'])).toThrow(
      /stormwatch\.db is open in another process/,
    );
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    db.close();
    expect(sqliteInUse(file)).toBe(false);
    expect(sqliteInUse(join(dir, 'bus.db'))).toBe(false); // absent: nothing to probe, nothing made
    expect(existsSync(join(dir, 'bus.db'))).toBe(false);
    lockDataDir(dir, 'stormwatch import', ['stormwatch.db', 'bus.db']).release();
  });
});
