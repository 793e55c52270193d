/**
 * Sensors, operators, enrolment tokens, alerts and meta in the SQLite store: small tables, plain statements.
 *
 * Invariants:
 * - consumeEnrollmentToken is one conditional UPDATE ... RETURNING: of two concurrent uses of a token,
 *   exactly one wins; an expired token (now >= expires_at) is never consumed.
 * - Public ids (`po_` operators, `ps_` sensors) are 64 random bits in hex, assigned once and stored (the same
 *   form as migration 2 makes in SQL): they are stable and derived from nothing, so they reveal neither names
 *   nor internal ids. Internal operator ids are `o_` + 16 random hex.
 * - ensureOperator is INSERT ... ON CONFLICT DO NOTHING then SELECT by name: atomic across connections.
 * - Every sensor's operator id has an operator record (addSensor creates a missing one in the same transaction).
 * - Key rotation: setPendingSensorKey and promoteSensorKey are single conditional UPDATEs on unrevoked sensors;
 *   the promotion happens only if the pending key is still the one that was verified.
 * - At most one alert per key is open; the pipeline keeps that rule (saveAlert upserts by id).
 */
import { immediateTx } from './immediate.js';
import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Protocol } from '../../core/event.js';
import type { AlertRecord, NewSensorRecord, OperatorRecord, SensorRecord } from '../store.js';

interface SensorRow extends Omit<SensorRecord, 'revoked'> {
  revoked: number;
}

interface AlertRow extends Omit<AlertRecord, 'evidence'> {
  evidence: string;
}

const ALERT_COLUMNS = 'id, proto, port, severity, level, status, opened_at, updated_at, evidence';
const SENSOR_COLUMNS = `id, public_id, name, operator, public_key_pem, pending_public_key_pem,
  previous_public_key_pem, previous_key_valid_until, created_at, last_seen, events_total, revoked, watched_addresses`;
const OPERATOR_COLUMNS = 'id, name, public_id, created_at';

/** `prefix` + 16 lower-case hex characters (64 random bits). */
export function randomId(prefix: 'o_' | 'po_' | 'ps_'): string {
  return `${prefix}${randomBytes(8).toString('hex')}`;
}

export const OPERATOR_ID_PATTERN = /^o_[0-9a-f]{16}$/;
export const OPERATOR_PUBLIC_ID_PATTERN = /^po_[0-9a-f]{16}$/;
export const SENSOR_PUBLIC_ID_PATTERN = /^ps_[0-9a-f]{16}$/;

export class SqliteRecords {
  private readonly st;

  private readonly addSensorTx;

  constructor(db: Database.Database) {
    this.st = {
      createToken: db.prepare<[string, string, number]>(
        'INSERT INTO enrollment_tokens (token_hash, operator, expires_at) VALUES (?, ?, ?)',
      ),
      consumeToken: db.prepare<[number, string, number], { operator: string }>(
        `UPDATE enrollment_tokens SET used_at = ?
         WHERE token_hash = ? AND used_at IS NULL AND expires_at > ? RETURNING operator`,
      ),
      addSensor: db.prepare<[string, string, string, string, string, number]>(
        `INSERT INTO sensors (id, public_id, name, operator, public_key_pem, created_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      getSensor: db.prepare<[string], SensorRow>(`SELECT ${SENSOR_COLUMNS} FROM sensors WHERE id = ?`),
      listSensors: db.prepare<[], SensorRow>(`SELECT ${SENSOR_COLUMNS} FROM sensors ORDER BY created_at, id`),
      revokeSensor: db.prepare<[string]>('UPDATE sensors SET revoked = 1 WHERE id = ?'),
      setPendingKey: db.prepare<[string, string]>(
        'UPDATE sensors SET pending_public_key_pem = ? WHERE id = ? AND revoked = 0',
      ),
      promoteKey: db.prepare<[number, string, string]>(
        `UPDATE sensors SET previous_public_key_pem = public_key_pem, previous_key_valid_until = ?,
           public_key_pem = pending_public_key_pem, pending_public_key_pem = NULL
         WHERE id = ? AND pending_public_key_pem = ? AND revoked = 0`,
      ),
      insertOperator: db.prepare<[string, string, string, number]>(
        `INSERT INTO operators (${OPERATOR_COLUMNS}) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      ),
      operatorByName: db.prepare<[string], OperatorRecord>(
        `SELECT ${OPERATOR_COLUMNS} FROM operators WHERE name = ?`,
      ),
      getOperator: db.prepare<[string], OperatorRecord>(
        `SELECT ${OPERATOR_COLUMNS} FROM operators WHERE id = ?`,
      ),
      listOperators: db.prepare<[], OperatorRecord>(
        `SELECT ${OPERATOR_COLUMNS} FROM operators ORDER BY created_at, id`,
      ),
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
    this.addSensorTx = immediateTx(db, (sensor: NewSensorRecord) => {
      if (!this.st.getOperator.get(sensor.operator)) {
        this.st.insertOperator.run(sensor.operator, sensor.operator, randomId('po_'), sensor.created_at);
      }
      this.st.addSensor.run(
        sensor.id,
        sensor.public_id ?? randomId('ps_'),
        sensor.name,
        sensor.operator,
        sensor.public_key_pem,
        sensor.created_at,
      );
    });
  }

  createEnrollmentToken(tokenHash: string, expiresAt: number, operator: string): void {
    this.st.createToken.run(tokenHash, operator, expiresAt);
  }

  consumeEnrollmentToken(tokenHash: string, now: number): string | null {
    return this.st.consumeToken.get(now, tokenHash, now)?.operator ?? null;
  }

  addSensor(s: NewSensorRecord): void {
    this.addSensorTx(s);
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

  setPendingSensorKey(id: string, publicKeyPem: string): boolean {
    return this.st.setPendingKey.run(publicKeyPem, id).changes > 0;
  }

  promoteSensorKey(id: string, pendingPem: string, previousValidUntil: number): boolean {
    return this.st.promoteKey.run(previousValidUntil, id, pendingPem).changes > 0;
  }

  ensureOperator(name: string, createdAt: number): { operator: OperatorRecord; created: boolean } {
    const created = this.st.insertOperator.run(randomId('o_'), name, randomId('po_'), createdAt).changes > 0;
    const operator = this.st.operatorByName.get(name);
    // Only an id collision (64 random bits) could leave no row by this name; try again with fresh ids.
    return operator ? { operator, created } : this.ensureOperator(name, createdAt);
  }

  getOperator(id: string): OperatorRecord | undefined {
    return this.st.getOperator.get(id);
  }

  listOperators(): OperatorRecord[] {
    return this.st.listOperators.all();
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
