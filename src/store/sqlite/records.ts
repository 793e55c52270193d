/**
 * Sensors, enrolment tokens, alerts and meta in the SQLite store: small tables, plain statements.
 *
 * Invariants:
 * - consumeEnrollmentToken is one conditional UPDATE ... RETURNING: of two concurrent uses of a token,
 *   exactly one wins; an expired token (now >= expires_at) is never consumed.
 * - At most one alert per key is open; the pipeline keeps that rule (saveAlert upserts by id).
 */
import type Database from 'better-sqlite3';
import type { Protocol } from '../../core/event.js';
import type { AlertRecord, SensorRecord } from '../store.js';

interface SensorRow extends Omit<SensorRecord, 'revoked'> {
  revoked: number;
}

interface AlertRow extends Omit<AlertRecord, 'evidence'> {
  evidence: string;
}

const ALERT_COLUMNS = 'id, proto, port, severity, level, status, opened_at, updated_at, evidence';
const SENSOR_COLUMNS = 'id, name, operator, public_key_pem, created_at, last_seen, events_total, revoked';

export class SqliteRecords {
  private readonly st;

  constructor(db: Database.Database) {
    this.st = {
      createToken: db.prepare<[string, string, number]>(
        'INSERT INTO enrollment_tokens (token_hash, operator, expires_at) VALUES (?, ?, ?)',
      ),
      consumeToken: db.prepare<[number, string, number], { operator: string }>(
        `UPDATE enrollment_tokens SET used_at = ?
         WHERE token_hash = ? AND used_at IS NULL AND expires_at > ? RETURNING operator`,
      ),
      addSensor: db.prepare<[string, string, string, string, number]>(
        'INSERT INTO sensors (id, name, operator, public_key_pem, created_at) VALUES (?, ?, ?, ?, ?)',
      ),
      getSensor: db.prepare<[string], SensorRow>(`SELECT ${SENSOR_COLUMNS} FROM sensors WHERE id = ?`),
      listSensors: db.prepare<[], SensorRow>(`SELECT ${SENSOR_COLUMNS} FROM sensors ORDER BY created_at, id`),
      revokeSensor: db.prepare<[string]>('UPDATE sensors SET revoked = 1 WHERE id = ?'),
      saveAlert: db.prepare<[string, string, number, number, string, string, number, number, string]>(
        `INSERT INTO alerts (${ALERT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET proto = excluded.proto, port = excluded.port,
           severity = excluded.severity, level = excluded.level, status = excluded.status,
           opened_at = excluded.opened_at, updated_at = excluded.updated_at, evidence = excluded.evidence`,
      ),
      openAlertFor: db.prepare<[string, number], AlertRow>(
        `SELECT ${ALERT_COLUMNS} FROM alerts WHERE proto = ? AND port = ? AND status = 'open'
         ORDER BY opened_at DESC LIMIT 1`,
      ),
      listAlerts: db.prepare<[number], AlertRow>(
        `SELECT ${ALERT_COLUMNS} FROM alerts ORDER BY updated_at DESC, id LIMIT ?`,
      ),
      listAlertsByStatus: db.prepare<[string, number], AlertRow>(
        `SELECT ${ALERT_COLUMNS} FROM alerts WHERE status = ? ORDER BY updated_at DESC, id LIMIT ?`,
      ),
      getMeta: db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
      setMeta: db.prepare<[string, string]>(
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      ),
    };
  }

  createEnrollmentToken(tokenHash: string, expiresAt: number, operator: string): void {
    this.st.createToken.run(tokenHash, operator, expiresAt);
  }

  consumeEnrollmentToken(tokenHash: string, now: number): string | null {
    return this.st.consumeToken.get(now, tokenHash, now)?.operator ?? null;
  }

  addSensor(s: Omit<SensorRecord, 'last_seen' | 'events_total' | 'revoked'>): void {
    this.st.addSensor.run(s.id, s.name, s.operator, s.public_key_pem, s.created_at);
  }

  getSensor(id: string): SensorRecord | undefined {
    const row = this.st.getSensor.get(id);
    return row && toSensor(row);
  }

  listSensors(): SensorRecord[] {
    return this.st.listSensors.all().map(toSensor);
  }

  /** True when the sensor exists (it is revoked afterwards, whether or not it already was). */
  revokeSensor(id: string): boolean {
    return this.st.revokeSensor.run(id).changes > 0;
  }

  saveAlert(a: AlertRecord): void {
    this.st.saveAlert.run(
      a.id,
      a.proto,
      a.port,
      a.severity,
      a.level,
      a.status,
      a.opened_at,
      a.updated_at,
      JSON.stringify(a.evidence ?? null),
    );
  }

  openAlertFor(proto: Protocol, port: number): AlertRecord | undefined {
    const row = this.st.openAlertFor.get(proto, port);
    return row && toAlert(row);
  }

  listAlerts(limit: number, status?: AlertRecord['status']): AlertRecord[] {
    const rows =
      status === undefined ? this.st.listAlerts.all(limit) : this.st.listAlertsByStatus.all(status, limit);
    return rows.map(toAlert);
  }

  getMeta(key: string): string | undefined {
    return this.st.getMeta.get(key)?.value;
  }

  setMeta(key: string, value: string): void {
    this.st.setMeta.run(key, value);
  }
}

function toSensor(row: SensorRow): SensorRecord {
  return { ...row, revoked: row.revoked !== 0 };
}

function toAlert(row: AlertRow): AlertRecord {
  return { ...row, evidence: JSON.parse(row.evidence) as unknown };
}
