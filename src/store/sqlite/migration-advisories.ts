/**
 * Schema of the advisory store (src/store/advisory-store.ts): advisories and their append-only versions, analyst
 * notes with their links, threat-level decisions, and the audit log. Appended by the lead to MIGRATIONS as
 * migration 7; like every migration it is never edited once shipped.
 *
 * The partial unique index `advisories_auto_by_incident` is what makes the automatic drafting idempotent per
 * incident, even across racing writers.
 */
export const ADVISORY_MIGRATION = {
  name: 'advisories with versions, analyst notes, threat-level decisions, audit log',
  sql: `
    CREATE TABLE advisories (
      id TEXT PRIMARY KEY,
      incident_id TEXT NOT NULL,
      proto TEXT NOT NULL,
      port INTEGER NOT NULL,
      origin TEXT NOT NULL CHECK (origin IN ('auto', 'manual')),
      status TEXT NOT NULL
        CHECK (status IN ('draft', 'in_review', 'published', 'updated', 'withdrawn')),
      version INTEGER NOT NULL,
      published_version INTEGER,
      created_at INTEGER NOT NULL,
      created_by TEXT NOT NULL,
      updated_at INTEGER NOT NULL,
      published_at INTEGER,
      withdrawn_at INTEGER
    );
    CREATE UNIQUE INDEX advisories_auto_by_incident ON advisories (incident_id) WHERE origin = 'auto';
    CREATE INDEX advisories_by_updated ON advisories (updated_at DESC, id DESC);
    CREATE INDEX advisories_by_incident ON advisories (incident_id);

    CREATE TABLE advisory_versions (
      advisory_id TEXT NOT NULL REFERENCES advisories (id),
      version INTEGER NOT NULL,
      title TEXT NOT NULL,
      summary TEXT NOT NULL,
      body_md TEXT NOT NULL,
      fields TEXT NOT NULL,
      actor TEXT NOT NULL,
      at INTEGER NOT NULL,
      change_note TEXT NOT NULL,
      published_at INTEGER,
      PRIMARY KEY (advisory_id, version)
    ) WITHOUT ROWID;

    CREATE TABLE notes (
      id TEXT PRIMARY KEY,
      title TEXT NOT NULL,
      body_md TEXT NOT NULL,
      links TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('draft', 'published')),
      version INTEGER NOT NULL,
      created_at INTEGER NOT NULL,
      created_by TEXT NOT NULL,
      updated_at INTEGER NOT NULL,
      updated_by TEXT NOT NULL,
      published_at INTEGER
    );
    CREATE INDEX notes_by_updated ON notes (updated_at DESC, id DESC);
    CREATE TABLE note_links (
      note_id TEXT NOT NULL REFERENCES notes (id),
      value TEXT NOT NULL,
      PRIMARY KEY (value, note_id)
    ) WITHOUT ROWID;

    CREATE TABLE threat_decisions (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      level TEXT NOT NULL CHECK (level IN ('normal', 'elevated', 'high', 'severe')),
      reason TEXT NOT NULL,
      actor TEXT NOT NULL,
      at INTEGER NOT NULL,
      suggestion TEXT NOT NULL
    );

    CREATE TABLE audit_log (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      at INTEGER NOT NULL,
      actor TEXT NOT NULL,
      entity TEXT NOT NULL,
      entity_id TEXT NOT NULL,
      action TEXT NOT NULL,
      detail TEXT NOT NULL
    );
    CREATE INDEX audit_log_by_entity ON audit_log (entity, entity_id, id);
  `,
} as const;
