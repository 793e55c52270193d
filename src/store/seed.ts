/**
 * The server's secret hash seed: 16 random bytes that key the distinct-count hash (src/core/distinct), so
 * that nobody outside the server can craft source lists that steer the sketches.
 *
 * Invariants:
 * - Created once per data directory and never rewritten: changing it would make every stored sketch
 *   incomparable with new ones (merges would double count).
 * - The file is created atomically and exclusively (write a private temporary file, fsync, then link() it
 *   into place, which fails if another process won the race), with mode 0600 in a 0700 directory.
 * - A file of the wrong length is an error, never silently replaced.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { makeError } from '../core/errors.js';

export const SEED_FILE = 'hash-seed';
export const SEED_BYTES = 16;

/**
 * Reads dataDir/hash-seed, creating it (and dataDir) on first use.
 * @throws StormwatchError SW_CONFIG_INVALID when the file exists with the wrong length.
 * @example const seed = loadOrCreateSeed('/var/lib/stormwatch');
 */
export function loadOrCreateSeed(dataDir: string): Uint8Array {
  const path = join(dataDir, SEED_FILE);
  const existing = tryRead(path);
  if (existing) return check(existing, path);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, randomBytes(SEED_BYTES));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, path);
    syncDir(dataDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    // Another process created it first: theirs wins, ours is discarded below.
  } finally {
    unlinkSync(tmp);
  }
  return check(readFileSync(path), path);
}

function tryRead(path: string): Buffer | null {
  try {
    return readFileSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

function check(buf: Buffer, path: string): Uint8Array {
  if (buf.length !== SEED_BYTES) {
    throw makeError(
      'SW_CONFIG_INVALID',
      `${path} holds ${buf.length} bytes, expected ${SEED_BYTES}; restore it from backup (a new seed would make stored sketches unmergeable)`,
    );
  }
  return new Uint8Array(buf);
}

/** Makes the new directory entry durable (best effort: not every platform can fsync a directory). */
function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Directory fsync is unsupported on some platforms; the file's own fsync already happened.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
