/**
 * The AdvisoryStore (src/store/advisory-store.ts, rules there) on the server's SQLite database, with the tables of
 * migration-advisories.ts. Every write and its audit entry run in one better-sqlite3 transaction; conditional
 * UPDATEs (status, version) are the compare-and-set, so a stale writer changes nothing.
 */
import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import { makeError } from '../../core/errors.js';
import type {
  AdvisoryContent,
  AdvisoryRecord,
  AdvisoryVersion,
  AuditEntity,
  AuditEntry,
  NoteLinks,
  NoteRecord,
  ThreatDecision,
} from '../../protocol/advisory-types.js';
import type {
  Actor,
  AdvisoryQuery,
  AdvisoryStore,
  NewAdvisory,
  NewNote,
  NewThreatDecision,
  NoteChange,
  NoteQuery,
  StatusChange,
} from '../advisory-store.js';

type Row = Record<string, unknown>;
const newId = (prefix: string): string => `${prefix}_${randomBytes(8).toString('hex')}`;

/**
 * A row as its record: the columns carry the fields' names (INTEGER columns read as numbers, NULL as null), and
 * the JSON columns named in `json` are parsed.
 */
function recordOf<T>(r: Row, ...json: string[]): T {
  for (const k of json) r[k] = JSON.parse(String(r[k]));
  return r as T;
}
const advisoryOf = (r: Row): AdvisoryRecord => recordOf(r);
const versionOf = (r: Row): AdvisoryVersion => recordOf(r, 'fields');
const noteOf = (r: Row): NoteRecord => recordOf(r, 'links');
const decisionOf = (r: Row): ThreatDecision => recordOf(r, 'suggestion');
const auditOf = (r: Row): AuditEntry => recordOf(r);

const linkValues = (l: NoteLinks): string[] => [
  ...new Set([...l.ports, ...l.incidents, ...l.advisories, ...l.ips]),
];

/**
 * @example const advisories = new SqliteAdvisoryStore(db); advisories.listAdvisories({ limit: 20 })
 */
export class SqliteAdvisoryStore implements AdvisoryStore {
  constructor(private readonly db: Database.Database) {}

  private tx<T>(f: () => T): T {
    return this.db.transaction(f).immediate();
  }
  private run(sql: string, args: unknown[]): Database.RunResult {
    return this.db.prepare(sql).run(...args);
  }
  private row(sql: string, ...args: unknown[]): Row | undefined {
    return this.db.prepare(sql).get(...args) as Row | undefined;
  }
  private rows(sql: string, ...args: unknown[]): Row[] {
    return this.db.prepare(sql).all(...args) as Row[];
  }
  private audit(who: Actor, entity: AuditEntity, id: string, action: string, detail: string): void {
    this.run(
      'INSERT INTO audit_log (at, actor, entity, entity_id, action, detail) VALUES (?, ?, ?, ?, ?, ?)',
      [who.at, who.actor, entity, id, action, detail],
    );
  }
  private conflict(what: string, cur: { status: string; version: number }, message: string): Error {
    return makeError('SW_CONFLICT', `${what} ${message}`, {
      details: { status: cur.status, version: cur.version },
    });
  }

  private mustAdvisory(id: string): AdvisoryRecord {
    const a = this.getAdvisory(id);
    if (!a) throw makeError('SW_NOT_FOUND', `no advisory ${id}`);
    return a;
  }

  private insertVersion(id: string, v: number, c: AdvisoryContent, who: Actor, note: string): void {
    this.run(
      `INSERT INTO advisory_versions (advisory_id, version, title, summary, body_md, fields, actor, at, change_note,
         published_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)`,
      [id, v, c.title, c.summary, c.body_md, JSON.stringify(c.fields), who.actor, who.at, note],
    );
  }

  createAdvisory(input: NewAdvisory): { advisory: AdvisoryRecord; created: boolean } {
    return this.tx(() => {
      if (input.origin === 'auto') {
        const found = this.row(
          `SELECT * FROM advisories WHERE incident_id = ? AND origin = 'auto'`,
          input.incident_id,
        );
        if (found) return { advisory: advisoryOf(found), created: false };
      }
      const id = newId('adv');
      this.run(
        `INSERT INTO advisories (id, incident_id, proto, port, origin, status, version, published_version,
           created_at, created_by, updated_at) VALUES (?, ?, ?, ?, ?, 'draft', 1, NULL, ?, ?, ?)`,
        [id, input.incident_id, input.proto, input.port, input.origin, input.at, input.actor, input.at],
      );
      this.insertVersion(id, 1, input.content, input, input.change_note);
      this.audit(input, 'advisory', id, 'create', `${input.origin} draft v1`);
      return { advisory: this.mustAdvisory(id), created: true };
    });
  }

  getAdvisory(id: string): AdvisoryRecord | undefined {
    const r = this.row('SELECT * FROM advisories WHERE id = ?', id);
    return r ? advisoryOf(r) : undefined;
  }

  listAdvisories(q: AdvisoryQuery): AdvisoryRecord[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.statuses) {
      where.push(`status IN (${q.statuses.map(() => '?').join(', ') || 'NULL'})`);
      args.push(...q.statuses);
    }
    if (q.incident_id !== undefined) {
      where.push('incident_id = ?');
      args.push(q.incident_id);
    }
    const sql = `SELECT * FROM advisories ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY updated_at DESC, id DESC LIMIT ?`;
    return this.rows(sql, ...args, q.limit).map(advisoryOf);
  }

  getVersion(id: string, version: number): AdvisoryVersion | undefined {
    const r = this.row('SELECT * FROM advisory_versions WHERE advisory_id = ? AND version = ?', id, version);
    return r ? versionOf(r) : undefined;
  }

  listVersions(id: string): AdvisoryVersion[] {
    return this.rows('SELECT * FROM advisory_versions WHERE advisory_id = ? ORDER BY version', id).map(
      versionOf,
    );
  }

  addVersion(
    id: string,
    base: number,
    c: AdvisoryContent,
    who: Actor & { change_note: string },
  ): AdvisoryRecord {
    return this.tx(() => {
      const a = this.mustAdvisory(id);
      const what = `advisory ${id}`;
      if (a.status === 'withdrawn') throw this.conflict(what, a, 'is withdrawn: no new version');
      if (a.version !== base)
        throw this.conflict(what, a, `is at version ${a.version}, the edit was based on ${base}`);
      this.run('UPDATE advisories SET version = ?, updated_at = ? WHERE id = ?', [base + 1, who.at, id]);
      this.insertVersion(id, base + 1, c, who, who.change_note);
      this.audit(who, 'advisory', id, 'edit', `v${base + 1}: ${who.change_note}`);
      return this.mustAdvisory(id);
    });
  }

  setStatus(id: string, ch: StatusChange): AdvisoryRecord {
    return this.tx(() => {
      const a = this.mustAdvisory(id);
      if (a.status !== ch.from || (ch.expectVersion !== undefined && ch.expectVersion !== a.version))
        throw this.conflict(`advisory ${id}`, a, `is ${a.status} at version ${a.version}`);
      const pub = ch.publish === true ? 1 : 0;
      this.run(
        `UPDATE advisories SET status = ?, updated_at = ?,
           published_version = CASE WHEN ? THEN version ELSE published_version END,
           published_at = CASE WHEN ? THEN ? ELSE published_at END,
           withdrawn_at = CASE WHEN ? = 'withdrawn' THEN ? ELSE withdrawn_at END
         WHERE id = ?`,
        [ch.to, ch.at, pub, pub, ch.at, ch.to, ch.at, id],
      );
      if (pub)
        this.run('UPDATE advisory_versions SET published_at = ? WHERE advisory_id = ? AND version = ?', [
          ch.at,
          id,
          a.version,
        ]);
      const detail = `${ch.from} → ${ch.to} at v${a.version}${ch.note ? `: ${ch.note}` : ''}`;
      this.audit(ch, 'advisory', id, 'transition', detail);
      return this.mustAdvisory(id);
    });
  }

  private writeLinks(id: string, links: NoteLinks): void {
    this.run('DELETE FROM note_links WHERE note_id = ?', [id]);
    for (const v of linkValues(links))
      this.run('INSERT INTO note_links (note_id, value) VALUES (?, ?)', [id, v]);
  }

  private mustNote(id: string): NoteRecord {
    const n = this.getNote(id);
    if (!n) throw makeError('SW_NOT_FOUND', `no note ${id}`);
    return n;
  }

  createNote(input: NewNote): NoteRecord {
    return this.tx(() => {
      const id = newId('note');
      this.run(
        `INSERT INTO notes (id, title, body_md, links, status, version, created_at, created_by, updated_at,
           updated_by) VALUES (?, ?, ?, ?, 'draft', 1, ?, ?, ?, ?)`,
        [
          id,
          input.title,
          input.body_md,
          JSON.stringify(input.links),
          input.at,
          input.actor,
          input.at,
          input.actor,
        ],
      );
      this.writeLinks(id, input.links);
      this.audit(input, 'note', id, 'create', 'draft v1');
      return this.mustNote(id);
    });
  }

  getNote(id: string): NoteRecord | undefined {
    const r = this.row('SELECT * FROM notes WHERE id = ?', id);
    return r ? noteOf(r) : undefined;
  }

  updateNote(id: string, base: number, ch: NoteChange, who: Actor): NoteRecord {
    return this.tx(() => {
      const n = this.mustNote(id);
      if (n.version !== base)
        throw this.conflict(`note ${id}`, n, `is at version ${n.version}, the edit was based on ${base}`);
      const next = {
        title: ch.title ?? n.title,
        body_md: ch.body_md ?? n.body_md,
        links: ch.links ?? n.links,
      };
      this.run(
        `UPDATE notes SET title = ?, body_md = ?, links = ?, version = ?, updated_at = ?, updated_by = ? WHERE id = ?`,
        [next.title, next.body_md, JSON.stringify(next.links), base + 1, who.at, who.actor, id],
      );
      if (ch.links) this.writeLinks(id, ch.links);
      this.audit(who, 'note', id, 'edit', `v${base + 1}: ${Object.keys(ch).join(', ')}`);
      return this.mustNote(id);
    });
  }

  setNoteStatus(id: string, from: NoteRecord['status'], to: NoteRecord['status'], who: Actor): NoteRecord {
    return this.tx(() => {
      const n = this.mustNote(id);
      if (n.status !== from) throw this.conflict(`note ${id}`, n, `is ${n.status}`);
      this.run(
        `UPDATE notes SET status = ?, updated_at = ?, updated_by = ?,
           published_at = CASE WHEN ? = 'published' THEN ? ELSE published_at END WHERE id = ?`,
        [to, who.at, who.actor, to, who.at, id],
      );
      this.audit(who, 'note', id, 'transition', `${from} → ${to}`);
      return this.mustNote(id);
    });
  }

  listNotes(q: NoteQuery): NoteRecord[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.status !== undefined) {
      where.push('status = ?');
      args.push(q.status);
    }
    if (q.link !== undefined) {
      where.push('id IN (SELECT note_id FROM note_links WHERE value = ?)');
      args.push(q.link);
    }
    const sql = `SELECT * FROM notes ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY updated_at DESC, id DESC LIMIT ?`;
    return this.rows(sql, ...args, q.limit).map(noteOf);
  }

  addThreatDecision(d: NewThreatDecision): ThreatDecision {
    return this.tx(() => {
      const r = this.run(
        'INSERT INTO threat_decisions (level, reason, actor, at, suggestion) VALUES (?, ?, ?, ?, ?)',
        [d.level, d.reason, d.actor, d.at, JSON.stringify(d.suggestion)],
      );
      const id = Number(r.lastInsertRowid);
      this.audit(
        d,
        'threat_level',
        String(id),
        'decide',
        `${d.level} (suggested ${d.suggestion.level}): ${d.reason}`,
      );
      return { ...d, id };
    });
  }

  listThreatDecisions(limit: number): ThreatDecision[] {
    return this.rows('SELECT * FROM threat_decisions ORDER BY at DESC, id DESC LIMIT ?', limit).map(
      decisionOf,
    );
  }

  listAudit(entity: AuditEntity, entityId: string, limit: number): AuditEntry[] {
    const sql = 'SELECT * FROM audit_log WHERE entity = ? AND entity_id = ? ORDER BY id LIMIT ?';
    return this.rows(sql, entity, entityId, limit).map(auditOf);
  }
}
