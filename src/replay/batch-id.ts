/**
 * Deterministic batch ids for replayed files: the server applies each batch id once per sensor, so a replay or
 * import run twice, or re-run after an interruption, counts every batch once (the server answers `duplicate`).
 *
 * Invariants: the id depends only on (file identity, sensor, batch number) — and, for standard input, whose
 * content cannot be hashed before it is read, on the batch's own events instead of the file identity; it
 * matches BATCH_ID_PATTERN (src/protocol/batch.ts). The same file must be replayed with the same batch size,
 * format options and privacy policy for its batches to be the same batches.
 */
import { createHash } from 'node:crypto';
import type { AttackEvent } from '../core/event.js';

export interface BatchKey {
  /** SHA-256 of the file's decoded content (source.ts), or null for standard input. */
  fileSha256: string | null;
  /** The sensor the batch is sent as (its import name, or its id). */
  sensor: string;
  /** 0-based number of the batch among this file's batches for this sensor. */
  n: number;
}

/**
 * @example batchId({ fileSha256: 'ab12…', sensor: 'groucho-eu', n: 0 }, events) // 'rp-…' (43 characters)
 */
export function batchId(key: BatchKey, events: readonly AttackEvent[]): string {
  const h = createHash('sha256');
  h.update(`stormwatch-replay\0${key.sensor}\0${key.n}\0`);
  h.update(key.fileSha256 ?? `stdin\0${JSON.stringify(events)}`);
  return `rp-${h.digest('base64url').slice(0, 40)}`;
}
