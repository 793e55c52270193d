/**
 * The dead-letter folder: batches the server refused for good (a 4xx other than 401/429) are written here with the
 * server's answer, so that nothing is silently lost and an operator can look, fix and replay. One JSON file per batch,
 * named by batch id, mode 0600; written (and fsynced) before the batch leaves the spool.
 */
import { mkdirSync, writeFileSync, openSync, fsyncSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import type { AttackEvent } from '../../core/event.js';

export interface DeadLetter {
  batch_id: string;
  status: number;
  /** The server's error body: `{code, message, details?}` when it sent JSON, else its text (truncated). */
  error: unknown;
  dead_lettered_at: string;
  events: AttackEvent[];
  stats?: Record<string, number>;
}

export function writeDeadLetter(dir: string, letter: DeadLetter): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `${letter.batch_id}.json`);
  writeFileSync(path, JSON.stringify(letter, null, 2), { mode: 0o600 });
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return path;
}
