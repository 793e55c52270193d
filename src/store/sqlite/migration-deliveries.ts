/**
 * Schema of the publish outbox (src/store/delivery-store.ts), appended to MIGRATIONS by the lead.
 *
 * - publish_messages keeps every message id ever enqueued: it is the idempotency record (a purged message
 *   keeps its row with an empty body).
 * - publish_deliveries: one row per (message, channel); the partial index serves the worker's "due" query
 *   and the dead-letter list without touching delivered rows.
 * - publish_feed_entries: what each feed channel shows, kept across restarts.
 */
export const DELIVERY_MIGRATION = {
  name: 'publish outbox, dead letters and feed entries',
  sql: `
    CREATE TABLE publish_messages (
      id TEXT PRIMARY KEY,
      kind TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      enqueued_at INTEGER NOT NULL,
      body TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE publish_deliveries (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      message_id TEXT NOT NULL,
      channel TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
      attempts INTEGER NOT NULL DEFAULT 0,
      failures INTEGER NOT NULL DEFAULT 0,
      next_attempt_at INTEGER NOT NULL,
      last_error TEXT,
      updated_at INTEGER NOT NULL,
      delivered_at INTEGER,
      UNIQUE (message_id, channel)
    );
    CREATE INDEX publish_deliveries_due ON publish_deliveries (channel, next_attempt_at, id)
      WHERE status = 'pending';
    CREATE INDEX publish_deliveries_dead ON publish_deliveries (updated_at) WHERE status = 'dead';
    CREATE INDEX publish_deliveries_delivered ON publish_deliveries (updated_at) WHERE status = 'delivered';
    CREATE TABLE publish_feed_entries (
      channel TEXT NOT NULL,
      message_id TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      body TEXT NOT NULL,
      PRIMARY KEY (channel, message_id)
    ) WITHOUT ROWID;
    CREATE INDEX publish_feed_entries_recent ON publish_feed_entries (channel, created_at);
  `,
} as const;
