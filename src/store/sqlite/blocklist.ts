/**
 * The BlocklistStore (src/store/blocklist-store.ts) on the SQLite database of the store, tables of
 * BLOCKLIST_MIGRATION (migration-blocklist.ts).
 *
 * Invariants:
 * - Prepared statements are made once; the connection is the caller's (the server's store connection, or one
 *   of its own on the same file: WAL lets both read whole commits), and is not closed here.
 * - decideDelistRequest is one transaction: a conditional UPDATE of a pending row, then the allowlist insert;
 *   a lost race (the row no longer pending) rolls back and throws SW_CONFLICT.
 * - addDelistRequest is one transaction: INSERT OR IGNORE against the one-pending-per-network index, then a
 *   read of the new or the pending row, so two concurrent requests for one network queue one.
 */
import { immediateTx } from './immediate.js';
import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import { makeError } from '../../core/errors.js';
import type {
  AllowlistEntry,
  BlocklistStore,
  DelistDecision,
  DelistRequest,
  DelistStatus,
  NewAllowlistEntry,
} from '../blocklist-store.js';

const ALLOW_COLUMNS = 'id, cidr, reason, created_at, created_by, expires_at, delist_request_id';
const REQUEST_COLUMNS =
  'id, network, contact, reason, status, created_at, decided_at, decided_by, note, allowlist_id';

const newId = (prefix: 'al_' | 'dr_'): string => `${prefix}${randomBytes(8).toString('hex')}`;

export class SqliteBlocklistStore implements BlocklistStore {
  private readonly st;
  private readonly decideTx;
  private readonly addRequestTx;

  /** Throws SW_CONFIG_INVALID when the database lacks the blocklist tables (migration not applied). */
  constructor(db: Database.Database) {
    const tables = db
      .prepare<[], { name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'blocklist_%'",
      )
      .all()
      .map((r) => r.name);
    for (const t of ['blocklist_allowlist', 'blocklist_delist_requests'])
      if (!tables.includes(t))
        throw makeError(
          'SW_CONFIG_INVALID',
          `database has no table ${t}: the blocklist migration is not applied`,
        );
    this.st = {
      listAllow: db.prepare<[], AllowlistEntry>(
        `SELECT ${ALLOW_COLUMNS} FROM blocklist_allowlist ORDER BY created_at, id`,
      ),
      getAllow: db.prepare<[string], AllowlistEntry>(
        `SELECT ${ALLOW_COLUMNS} FROM blocklist_allowlist WHERE id = ?`,
      ),
      addAllow: db.prepare<[AllowlistEntry]>(
        `INSERT INTO blocklist_allowlist (${ALLOW_COLUMNS}) VALUES
         (@id, @cidr, @reason, @created_at, @created_by, @expires_at, @delist_request_id)`,
      ),
      removeAllow: db.prepare<[string]>('DELETE FROM blocklist_allowlist WHERE id = ?'),
      addRequest: db.prepare<[Pick<DelistRequest, 'id' | 'network' | 'contact' | 'reason' | 'created_at'>]>(
        `INSERT OR IGNORE INTO blocklist_delist_requests (id, network, contact, reason, status, created_at)
         VALUES (@id, @network, @contact, @reason, 'pending', @created_at)`,
      ),
      pendingFor: db.prepare<[string], DelistRequest>(
        `SELECT ${REQUEST_COLUMNS} FROM blocklist_delist_requests WHERE network = ? AND status = 'pending'`,
      ),
      getRequest: db.prepare<[string], DelistRequest>(
        `SELECT ${REQUEST_COLUMNS} FROM blocklist_delist_requests WHERE id = ?`,
      ),
      listAll: db.prepare<[number], DelistRequest>(
        `SELECT ${REQUEST_COLUMNS} FROM blocklist_delist_requests ORDER BY created_at DESC, rowid DESC LIMIT ?`,
      ),
      listByStatus: db.prepare<[string, number], DelistRequest>(
        `SELECT ${REQUEST_COLUMNS} FROM blocklist_delist_requests WHERE status = ?
         ORDER BY created_at DESC, rowid DESC LIMIT ?`,
      ),
      count: db.prepare<[string], { n: number }>(
        'SELECT count(*) AS n FROM blocklist_delist_requests WHERE status = ?',
      ),
      decide: db.prepare<[string, number, string, string | null, string | null, string]>(
        `UPDATE blocklist_delist_requests SET status = ?, decided_at = ?, decided_by = ?, note = ?, allowlist_id = ?
         WHERE id = ? AND status = 'pending'`,
      ),
    };
    this.decideTx = immediateTx(db, (id: string, d: DelistDecision): DelistRequest => {
      const req = this.st.getRequest.get(id);
      if (!req) throw makeError('SW_NOT_FOUND', `no delisting request ${id}`);
      if (req.status !== 'pending')
        throw makeError('SW_CONFLICT', `delisting request ${id} is already ${req.status}`);
      const allowId = d.decision === 'approve' ? newId('al_') : null;
      const status = d.decision === 'approve' ? 'approved' : 'rejected';
      const changed = this.st.decide.run(status, d.at, d.actor, d.note, allowId, id).changes;
      if (changed !== 1) throw makeError('SW_CONFLICT', `delisting request ${id} was decided meanwhile`);
      if (allowId !== null) {
        const why = d.note ? `${d.note} (delisting request ${id})` : `delisting request ${id}: ${req.reason}`;
        this.st.addAllow.run({
          id: allowId,
          cidr: req.network,
          reason: why,
          created_at: d.at,
          created_by: d.actor,
          expires_at: d.allowlist_expires_at,
          delist_request_id: id,
        });
      }
      return this.st.getRequest.get(id) as DelistRequest;
    });
    this.addRequestTx = immediateTx(
      db,
      (r: Pick<DelistRequest, 'network' | 'contact' | 'reason' | 'created_at'>) => {
        const id = newId('dr_');
        const created = this.st.addRequest.run({ id, ...r }).changes === 1;
        const request = created ? this.st.getRequest.get(id) : this.st.pendingFor.get(r.network);
        if (!request)
          throw makeError('SW_INTERNAL', `delisting request for ${r.network} neither added nor found`);
        return { request, created };
      },
    );
  }

  listAllowlist(): AllowlistEntry[] {
    return this.st.listAllow.all();
  }

  addAllowlistEntry(entry: NewAllowlistEntry): AllowlistEntry {
    const row: AllowlistEntry = { id: newId('al_'), ...entry };
    this.st.addAllow.run(row);
    return this.st.getAllow.get(row.id) as AllowlistEntry;
  }

  removeAllowlistEntry(id: string): boolean {
    return this.st.removeAllow.run(id).changes > 0;
  }

  addDelistRequest(r: Pick<DelistRequest, 'network' | 'contact' | 'reason' | 'created_at'>): {
    request: DelistRequest;
    created: boolean;
  } {
    return this.addRequestTx(r);
  }

  getDelistRequest(id: string): DelistRequest | undefined {
    return this.st.getRequest.get(id);
  }

  listDelistRequests(q: { status?: DelistStatus; limit: number }): DelistRequest[] {
    const limit = Math.max(0, Math.floor(q.limit));
    return q.status ? this.st.listByStatus.all(q.status, limit) : this.st.listAll.all(limit);
  }

  countDelistRequests(status: DelistStatus): number {
    return this.st.count.get(status)?.n ?? 0;
  }

  decideDelistRequest(id: string, d: DelistDecision): DelistRequest {
    return this.decideTx(id, d);
  }
}
