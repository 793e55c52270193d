/**
 * The SQLite DeliveryStore (rules in ../delivery-store.ts), on a connection the caller opened and migrated
 * with DELIVERY_MIGRATION (the server passes its store's connection).
 *
 * Invariants:
 * - enqueue, requeue and putFeedEntry are single transactions; better-sqlite3 is synchronous, so no other
 *   statement of this connection runs in between.
 * - Statements are prepared once.
 */
import { immediateTx } from './immediate.js';
import type Database from 'better-sqlite3';
import type {
  ChannelCounts,
  DeliveryRow,
  DeliveryStatus,
  DeliveryStore,
  DueDelivery,
  FeedEntryRow,
  OutboxMessage,
} from '../delivery-store.js';

const ROW_COLUMNS = `d.id, d.message_id, d.channel, d.status, d.attempts, d.failures, d.next_attempt_at,
  d.last_error, d.updated_at, d.delivered_at`;

/**
 * @example const deliveries = createSqliteDeliveryStore(db); deliveries.enqueue(msg, ['soc'], Date.now());
 */
export function createSqliteDeliveryStore(db: Database.Database): DeliveryStore {
  const insertMessage = db.prepare(
    `INSERT OR IGNORE INTO publish_messages (id, kind, created_at, enqueued_at, body) VALUES (?, ?, ?, ?, ?)`,
  );
  const insertDelivery = db.prepare(
    `INSERT OR IGNORE INTO publish_deliveries (message_id, channel, status, next_attempt_at, updated_at)
     VALUES (?, ?, 'pending', ?, ?)`,
  );
  const dueStmt = db.prepare(
    `SELECT ${ROW_COLUMNS}, m.body FROM publish_deliveries d JOIN publish_messages m ON m.id = d.message_id
     WHERE d.status = 'pending' AND d.channel = ? AND d.next_attempt_at <= ?
     ORDER BY d.next_attempt_at, d.id LIMIT ?`,
  );
  const nextAll = db.prepare(
    `SELECT MIN(next_attempt_at) AS t FROM publish_deliveries WHERE status = 'pending'`,
  );
  const nextOne = db.prepare(
    `SELECT MIN(next_attempt_at) AS t FROM publish_deliveries WHERE status = 'pending' AND channel = ?`,
  );
  const delivered = db.prepare(
    `UPDATE publish_deliveries SET status = 'delivered', attempts = attempts + 1, updated_at = ?,
       delivered_at = ?, last_error = NULL WHERE id = ? AND status = 'pending'`,
  );
  const failed = db.prepare(
    `UPDATE publish_deliveries SET status = ?, attempts = attempts + 1, failures = failures + 1,
       next_attempt_at = ?, last_error = ?, updated_at = ? WHERE id = ? AND status = 'pending'`,
  );
  const getStmt = db.prepare(`SELECT ${ROW_COLUMNS} FROM publish_deliveries d WHERE d.id = ?`);
  const deadAll = db.prepare(
    `SELECT ${ROW_COLUMNS} FROM publish_deliveries d WHERE d.status = 'dead' ORDER BY d.updated_at DESC, d.id DESC
     LIMIT ?`,
  );
  const deadOne = db.prepare(
    `SELECT ${ROW_COLUMNS} FROM publish_deliveries d WHERE d.status = 'dead' AND d.channel = ?
     ORDER BY d.updated_at DESC, d.id DESC LIMIT ?`,
  );
  const requeueOne = db.prepare(
    `UPDATE publish_deliveries SET status = 'pending', attempts = 0, next_attempt_at = ?, updated_at = ?
     WHERE id = ? AND status = 'dead'`,
  );
  const requeueChannel = db.prepare(
    `UPDATE publish_deliveries SET status = 'pending', attempts = 0, next_attempt_at = ?, updated_at = ?
     WHERE channel = ? AND status = 'dead'`,
  );
  const countStmt = db.prepare(
    `SELECT channel, status, COUNT(*) AS n FROM publish_deliveries GROUP BY channel, status`,
  );
  const purgeRows = db.prepare(
    `DELETE FROM publish_deliveries WHERE status = 'delivered' AND updated_at < ?`,
  );
  const emptyBodies = db.prepare(
    `UPDATE publish_messages SET body = '' WHERE body <> '' AND NOT EXISTS
       (SELECT 1 FROM publish_deliveries d WHERE d.message_id = publish_messages.id)`,
  );
  const putEntry = db.prepare(
    `INSERT OR REPLACE INTO publish_feed_entries (channel, message_id, created_at, body) VALUES (?, ?, ?, ?)`,
  );
  const trimEntries = db.prepare(
    `DELETE FROM publish_feed_entries WHERE channel = ? AND message_id NOT IN
       (SELECT message_id FROM publish_feed_entries WHERE channel = ? ORDER BY created_at DESC, message_id DESC
        LIMIT ?)`,
  );
  const entries = db.prepare(
    `SELECT message_id, created_at, body FROM publish_feed_entries WHERE channel = ?
     ORDER BY created_at DESC, message_id DESC LIMIT ?`,
  );

  const enqueueTx = immediateTx(db, (msg: OutboxMessage, channels: readonly string[], now: number) => {
    const r = insertMessage.run(msg.id, msg.kind, msg.created_at, now, msg.body);
    if (r.changes === 0) return { created: false, deliveries: 0 };
    let deliveries = 0;
    for (const ch of new Set(channels)) deliveries += insertDelivery.run(msg.id, ch, now, now).changes;
    return { created: true, deliveries };
  });
  const purgeTx = immediateTx(db, (before: number) => {
    const n = purgeRows.run(before).changes;
    if (n > 0) emptyBodies.run();
    return n;
  });
  const putEntryTx = immediateTx(db, (channel: string, e: FeedEntryRow, keep: number) => {
    putEntry.run(channel, e.message_id, e.created_at, e.body);
    trimEntries.run(channel, channel, keep);
  });

  return {
    enqueue: (msg, channels, now) => enqueueTx(msg, channels, now),
    due: (channel, now, limit) => dueStmt.all(channel, now, limit) as DueDelivery[],
    nextDueAt(channel) {
      const row = (channel === undefined ? nextAll.get() : nextOne.get(channel)) as { t: number | null };
      return row.t;
    },
    markDelivered(id, now) {
      delivered.run(now, now, id);
    },
    markFailed(id, error, nextAttemptAt, now) {
      const status: DeliveryStatus = nextAttemptAt === null ? 'dead' : 'pending';
      failed.run(status, nextAttemptAt ?? now, error, now, id);
    },
    get: (id) => (getStmt.get(id) as DeliveryRow | undefined) ?? null,
    listDead: ({ channel, limit }) =>
      (channel === undefined ? deadAll.all(limit) : deadOne.all(channel, limit)) as DeliveryRow[],
    requeue(target, now) {
      return 'id' in target
        ? requeueOne.run(now, now, target.id).changes
        : requeueChannel.run(now, now, target.channel).changes;
    },
    counts() {
      const out: Record<string, ChannelCounts> = {};
      for (const r of countStmt.all() as Array<{ channel: string; status: DeliveryStatus; n: number }>) {
        const c = (out[r.channel] ??= { pending: 0, delivered: 0, dead: 0 });
        c[r.status] = r.n;
      }
      return out;
    },
    purgeDelivered: (before) => purgeTx(before),
    putFeedEntry: (channel, entry, keep) => putEntryTx(channel, entry, keep),
    feedEntries: (channel, limit) => entries.all(channel, limit) as FeedEntryRow[],
  };
}
