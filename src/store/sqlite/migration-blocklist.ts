/**
 * Schema of the blocklists' records (src/store/blocklist-store.ts), appended to the SQLite migrations as one
 * numbered migration (the list in migrations.ts numbers it).
 *
 * The partial unique index keeps at most one pending delisting request per network, so that the duplicate
 * check and the insert are one atomic statement (INSERT OR IGNORE).
 */
export const BLOCKLIST_MIGRATION = {
  name: 'blocklists: allowlist and delisting requests',
  sql: `
    CREATE TABLE blocklist_allowlist (
      id TEXT PRIMARY KEY,
      cidr TEXT NOT NULL,
      reason TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      created_by TEXT NOT NULL,
      expires_at INTEGER,
      delist_request_id TEXT
    );
    CREATE TABLE blocklist_delist_requests (
      id TEXT PRIMARY KEY,
      network TEXT NOT NULL,
      contact TEXT NOT NULL,
      reason TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
      created_at INTEGER NOT NULL,
      decided_at INTEGER,
      decided_by TEXT,
      note TEXT,
      allowlist_id TEXT
    );
    CREATE INDEX blocklist_delist_by_status ON blocklist_delist_requests (status, created_at);
    CREATE UNIQUE INDEX blocklist_delist_one_pending ON blocklist_delist_requests (network)
      WHERE status = 'pending';
  `,
} as const;
