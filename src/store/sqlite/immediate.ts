/**
 * Write transactions that begin IMMEDIATE. The aggregator's worker writes the same file from its own connection;
 * a deferred transaction that reads before it writes fails at once with SQLITE_BUSY (no busy_timeout wait) when
 * the other connection committed after its read began. Taking the write lock first makes the wait go through
 * busy_timeout instead.
 */
import type Database from 'better-sqlite3';

/** @example const save = immediateTx(db, (row: Row) => { read...; write... }); save(row) */
export function immediateTx<A extends unknown[], R>(
  db: Database.Database,
  fn: (...args: A) => R,
): (...args: A) => R {
  const tx = db.transaction(fn);
  return (...args: A): R => tx.immediate(...args);
}
