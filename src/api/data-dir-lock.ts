/**
 * Exclusive use of a server's data folder (the server takes it at start; `stormwatch import` runs a server): a
 * lock file made with O_EXCL, and a probe of the folder's SQLite files for a process that holds them without the
 * lock (a server of an older version).
 *
 * Invariants:
 * - At most one holder: the lock file `stormwatch.lock` ({pid, host, purpose, started_at}) is created with
 *   O_CREAT|O_EXCL; a lock whose process is gone (same host, pid not alive) is stale and taken over; one held
 *   by a live process or another host is never broken.
 * - The SQLite probe opens each existing file with locking_mode=EXCLUSIVE and takes an exclusive transaction
 *   without writing; any other open connection (a server keeps its databases open in WAL mode) makes it fail
 *   with SQLITE_BUSY at once (timeout 0), and the lock is released again.
 * - release() removes the file only while it still holds our own pid and token.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { makeError } from '../core/errors.js';

export const LOCK_FILE = 'stormwatch.lock';

export interface LockInfo {
  pid: number;
  host: string;
  purpose: string;
  started_at: string;
  token: string;
}

export interface DataDirLock {
  readonly path: string;
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(path: string): LockInfo | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockInfo;
  } catch {
    return null; // unreadable or half written: treated as held, see takeFile
  }
}

function inUse(dir: string, why: string): Error {
  return makeError('SW_CONFIG_INVALID', `data folder ${dir} is in use: ${why}`);
}

function takeFile(dir: string, info: LockInfo): string {
  const path = join(dir, LOCK_FILE);
  for (let tries = 0; tries < 2; tries++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, `${JSON.stringify(info)}\n`);
      closeSync(fd);
      return path;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const held = readLock(path);
    if (held === null || held.host !== info.host || alive(held.pid))
      throw inUse(
        dir,
        held === null
          ? `${path} exists and cannot be read (remove it if no Stormwatch process uses the folder)`
          : `${held.purpose} (pid ${held.pid} on ${held.host}, since ${held.started_at}) holds ${path}`,
      );
    rmSync(path, { force: true }); // stale: its process is gone
  }
  throw inUse(dir, `${path} was taken by another process while a stale lock was removed`);
}

/** True when another connection has the SQLite database open. */
export function sqliteInUse(file: string): boolean {
  if (!existsSync(file)) return false;
  const db = new Database(file, { fileMustExist: true, timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('COMMIT');
    return false;
  } catch (err) {
    if ((err as { code?: string }).code === 'SQLITE_BUSY') return true;
    throw err;
  } finally {
    db.close();
  }
}

/**
 * Takes the data folder (made if missing) for `purpose`.
 * @param sqliteFiles the folder's databases (names relative to it) to probe for a server without the lock.
 * @throws SW_CONFIG_INVALID naming who holds the folder.
 * @example const lock = lockDataDir(dir, 'stormwatch import', ['stormwatch.db', 'bus.db']); try { ... } finally { lock.release() }
 */
export function lockDataDir(dir: string, purpose: string, sqliteFiles: readonly string[] = []): DataDirLock {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const info: LockInfo = {
    pid: process.pid,
    host: hostname(),
    purpose,
    started_at: new Date().toISOString(),
    token: randomBytes(8).toString('hex'),
  };
  const path = takeFile(dir, info);
  const release = (): void => {
    if (readLock(path)?.token === info.token) rmSync(path, { force: true });
  };
  try {
    for (const f of sqliteFiles)
      if (sqliteInUse(join(dir, f)))
        throw inUse(dir, `${f} is open in another process (a running stormwatch server?)`);
  } catch (err) {
    release();
    throw err;
  }
  return { path, release };
}
