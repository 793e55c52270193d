/**
 * The detector's output in the SQLite store: its saved state and position, incidents and local anomalies.
 *
 * Invariants:
 * - saveDetectorState writes the state, the position and the bucket's incidents and anomalies in ONE
 *   transaction (better-sqlite3 transactions nest as savepoints, so saveIncidents inside it joins it). A state
 *   in parts replaces every part of the previous one: the first in detector_state, the rest in
 *   detector_state_parts by number; a part that fails to be made rolls the whole save back.
 * - Incidents are upserted whole by id (the body is the engine's Incident as JSON; the indexed columns are
 *   copies of its fields, written from the same object). Anomalies are appended (auto id).
 * - Statuses 'resolved' and 'accepted' are ended; every other status is active.
 * - `created_at` of anomalies and `updated_at` of the state are the store's clock (bookkeeping), not event time.
 */
import { makeError } from '../../core/errors.js';
import { immediateTx } from './immediate.js';
import type Database from 'better-sqlite3';
import type { Clock } from '../../core/clock.js';
import type {
  AnomalyQuery,
  AnomalyRecord,
  DetectorStateRecord,
  IncidentQuery,
  StoredAnomaly,
  StoredIncident,
} from '../store.js';

interface IncidentRow extends Omit<StoredIncident, 'body' | 'backfilled'> {
  backfilled: number;
  body: string;
}

interface AnomalyRow extends Omit<AnomalyRecord, 'body'> {
  body: string;
}

const INCIDENT_COLUMNS =
  'id, proto, port, status, level, severity, opened_at, updated_at, campaign, backfilled, body';
const ENDED = "('resolved', 'accepted')";

export class SqliteDetection {
  private readonly st;
  private readonly upsertAll: (items: readonly StoredIncident[]) => void;
  private readonly appendAll: (items: readonly StoredAnomaly[]) => void;
  private readonly saveTx: (
    name: string,
    data: Iterable<Uint8Array>,
    position: string,
    incidents: readonly StoredIncident[],
    anomalies: readonly StoredAnomaly[],
  ) => void;

  constructor(
    private readonly db: Database.Database,
    private readonly clock: Clock,
  ) {
    this.st = {
      saveState: db.prepare<[string, Buffer, string, number]>(
        `INSERT INTO detector_state (name, data, position, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET data = excluded.data, position = excluded.position,
           updated_at = excluded.updated_at`,
      ),
      loadState: db.prepare<[string], Omit<DetectorStateRecord, 'parts'>>(
        'SELECT data, position, updated_at FROM detector_state WHERE name = ?',
      ),
      loadParts: db.prepare<[string], { data: Buffer }>(
        'SELECT data FROM detector_state_parts WHERE name = ? ORDER BY part',
      ),
      dropParts: db.prepare<[string]>('DELETE FROM detector_state_parts WHERE name = ?'),
      savePart: db.prepare<[string, number, Buffer]>(
        'INSERT INTO detector_state_parts (name, part, data) VALUES (?, ?, ?)',
      ),
      upsertIncident: db.prepare(
        `INSERT INTO incidents (${INCIDENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET proto = excluded.proto, port = excluded.port, status = excluded.status,
           level = excluded.level, severity = excluded.severity, opened_at = excluded.opened_at,
           updated_at = excluded.updated_at, campaign = excluded.campaign, backfilled = excluded.backfilled,
           body = excluded.body`,
      ),
      getIncident: db.prepare<[string], IncidentRow>(
        `SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE id = ?`,
      ),
      insertAnomaly: db.prepare<[string, number, string, number, string, number]>(
        `INSERT INTO local_anomalies (proto, port, granularity, bucket, body, created_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      ),
    };
    this.upsertAll = immediateTx(db, (items: readonly StoredIncident[]) => {
      for (const i of items) {
        this.st.upsertIncident.run(
          i.id,
          i.proto,
          i.port,
          i.status,
          i.level,
          i.severity,
          i.opened_at,
          i.updated_at,
          i.campaign,
          i.backfilled ? 1 : 0,
          JSON.stringify(i.body),
        );
      }
    });
    this.appendAll = immediateTx(db, (items: readonly StoredAnomaly[]) => {
      const now = this.clock.now();
      for (const a of items) {
        this.st.insertAnomaly.run(a.proto, a.port, a.granularity, a.bucket, JSON.stringify(a.body), now);
      }
    });
    this.saveTx = immediateTx(
      db,
      (
        name: string,
        data: Iterable<Uint8Array>,
        position: string,
        incidents: readonly StoredIncident[],
        anomalies: readonly StoredAnomaly[],
      ) => {
        // Each part is written as it is made, so only one is in memory at a time.
        this.st.dropParts.run(name);
        let part = 0;
        for (const bytes of data) {
          if (part === 0) this.st.saveState.run(name, asBuffer(bytes), position, this.clock.now());
          else this.st.savePart.run(name, part, asBuffer(bytes));
          part++;
        }
        if (part === 0) throw makeError('SW_INTERNAL', `detector state ${name}: no part to save`);
        if (incidents.length > 0) this.upsertAll(incidents);
        if (anomalies.length > 0) this.appendAll(anomalies);
      },
    );
  }

  saveState(
    name: string,
    data: Uint8Array | Iterable<Uint8Array>,
    position: string,
    found: { incidents?: StoredIncident[]; anomalies?: StoredAnomaly[] } = {},
  ): void {
    const parts = data instanceof Uint8Array ? [data] : data;
    this.saveTx(name, parts, position, found.incidents ?? [], found.anomalies ?? []);
  }

  loadState(name: string): DetectorStateRecord | undefined {
    const row = this.st.loadState.get(name);
    if (row === undefined) return undefined;
    return { ...row, parts: this.st.loadParts.all(name).map((p) => p.data) };
  }

  saveIncidents(items: readonly StoredIncident[]): void {
    if (items.length > 0) this.upsertAll(items);
  }

  getIncident(id: string): StoredIncident | undefined {
    const row = this.st.getIncident.get(id);
    return row && toIncident(row);
  }

  listIncidents(q: IncidentQuery): StoredIncident[] {
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (q.status === 'active') where.push(`status NOT IN ${ENDED}`);
    if (q.status === 'resolved') where.push(`status IN ${ENDED}`);
    if (q.proto !== undefined) {
      where.push('proto = ?');
      args.push(q.proto);
    }
    if (q.port !== undefined) {
      where.push('port = ?');
      args.push(q.port);
    }
    const sql =
      `SELECT ${INCIDENT_COLUMNS} FROM incidents ${where.length > 0 ? 'WHERE ' + where.join(' AND ') : ''} ` +
      'ORDER BY updated_at DESC, id LIMIT ?';
    // Few shapes of query (status × key filters): SQLite's statement cache in better-sqlite3 is per prepare, and
    // this runs on API reads, not per event.
    return this.db
      .prepare<Array<string | number>, IncidentRow>(sql)
      .all(...args, limitOf(q.limit))
      .map(toIncident);
  }

  saveAnomalies(items: readonly StoredAnomaly[]): void {
    if (items.length > 0) this.appendAll(items);
  }

  listAnomalies(q: AnomalyQuery): AnomalyRecord[] {
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (q.proto !== undefined) {
      where.push('proto = ?');
      args.push(q.proto);
    }
    if (q.port !== undefined) {
      where.push('port = ?');
      args.push(q.port);
    }
    const sql =
      'SELECT id, proto, port, granularity, bucket, body, created_at FROM local_anomalies ' +
      `${where.length > 0 ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id DESC LIMIT ?`;
    return this.db
      .prepare<Array<string | number>, AnomalyRow>(sql)
      .all(...args, limitOf(q.limit))
      .map((r) => ({
        id: r.id,
        proto: r.proto,
        port: r.port,
        granularity: r.granularity,
        bucket: r.bucket,
        body: JSON.parse(r.body) as unknown,
        created_at: r.created_at,
      }));
  }
}

function toIncident(r: IncidentRow): StoredIncident {
  return { ...r, backfilled: r.backfilled === 1, body: JSON.parse(r.body) as unknown };
}

function limitOf(n: number): number {
  return Math.max(0, Math.floor(n));
}

function asBuffer(b: Uint8Array): Buffer {
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}
