/**
 * SqliteBlocklistStore on a real SQLite file with BLOCKLIST_MIGRATION applied: the allowlist, one pending
 * delisting request per network, atomic decisions (approve adds the allowlist entry; a second decision is a
 * conflict and changes nothing), ordering, persistence across connections, and a database without the tables.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteBlocklistStore } from './blocklist.js';
import { BLOCKLIST_MIGRATION } from './migration-blocklist.js';

const dir = mkdtempSync(join(tmpdir(), 'sw-blocklist-'));
const opened: Database.Database[] = [];
let n = 0;
afterAll(() => {
  for (const db of opened) db.close();
  rmSync(dir, { recursive: true, force: true });
});

function open(
  path = join(dir, `b${n++}.db`),
  migrate = true,
): { db: Database.Database; s: SqliteBlocklistStore; path: string } {
  const db = new Database(path);
  opened.push(db);
  db.pragma('journal_mode = WAL');
  if (migrate) db.exec(BLOCKLIST_MIGRATION.sql);
  return { db, s: new SqliteBlocklistStore(db), path };
}

const T = Date.parse('2030-01-01T00:00:00Z');
const req = (network: string, at = T) => ({
  network,
  contact: 'noc@example.org',
  reason: 'our NAT pool',
  created_at: at,
});

describe('allowlist', () => {
  it('adds, lists (oldest first) and removes entries', () => {
    const { s } = open();
    const a = s.addAllowlistEntry({
      cidr: '192.0.2.0/24',
      reason: 'our scanner',
      created_at: T + 1,
      created_by: 'ops',
      expires_at: null,
      delist_request_id: null,
    });
    const b = s.addAllowlistEntry({
      cidr: '2001:db8::/32',
      reason: 'lab',
      created_at: T,
      created_by: 'ops',
      expires_at: T + 10,
      delist_request_id: null,
    });
    expect(a.id).toMatch(/^al_[0-9a-f]{16}$/);
    expect(s.listAllowlist()).toEqual([b, a]);
    expect(s.removeAllowlistEntry(b.id)).toBe(true);
    expect(s.removeAllowlistEntry(b.id)).toBe(false);
    expect(s.listAllowlist()).toEqual([a]);
  });
});

describe('delisting requests', () => {
  it('queues one pending request per network and answers the pending one for a duplicate', () => {
    const { s } = open();
    const first = s.addDelistRequest(req('203.0.113.0/24'));
    expect(first.created).toBe(true);
    expect(first.request).toMatchObject({
      network: '203.0.113.0/24',
      status: 'pending',
      decided_at: null,
      allowlist_id: null,
    });
    expect(first.request.id).toMatch(/^dr_[0-9a-f]{16}$/);
    const again = s.addDelistRequest(req('203.0.113.0/24', T + 5));
    expect(again).toEqual({ request: first.request, created: false });
    expect(s.addDelistRequest(req('198.51.100.0/24', T + 6)).created).toBe(true);
    expect(s.countDelistRequests('pending')).toBe(2);
  });

  it('approves atomically: the request is decided and the allowlist entry made, linked both ways', () => {
    const { s } = open();
    const { request } = s.addDelistRequest(req('203.0.113.0/24'));
    const decided = s.decideDelistRequest(request.id, {
      decision: 'approve',
      actor: 'admin-a',
      note: 'confirmed with the network owner',
      at: T + 100,
      allowlist_expires_at: T + 1000,
    });
    expect(decided).toMatchObject({ status: 'approved', decided_at: T + 100, decided_by: 'admin-a' });
    const [entry] = s.listAllowlist();
    expect(entry).toEqual({
      id: decided.allowlist_id,
      cidr: '203.0.113.0/24',
      reason: `confirmed with the network owner (delisting request ${request.id})`,
      created_at: T + 100,
      created_by: 'admin-a',
      expires_at: T + 1000,
      delist_request_id: request.id,
    });
    expect(s.countDelistRequests('pending')).toBe(0);
    // A new request for the network can be queued once the old one is decided.
    expect(s.addDelistRequest(req('203.0.113.0/24', T + 200)).created).toBe(true);
  });

  it('refuses a second decision (conflict) and an unknown request (not found), changing nothing', () => {
    const { s } = open();
    const { request } = s.addDelistRequest(req('203.0.113.0/24'));
    const d = { decision: 'reject' as const, actor: 'a', note: null, at: T + 1, allowlist_expires_at: null };
    expect(s.decideDelistRequest(request.id, d)).toMatchObject({ status: 'rejected', allowlist_id: null });
    expect(() => s.decideDelistRequest(request.id, { ...d, decision: 'approve' })).toThrow(
      /already rejected/,
    );
    expect(() => s.decideDelistRequest('dr_0000000000000000', d)).toThrow(/no delisting request/);
    expect(s.listAllowlist()).toEqual([]);
    expect(s.getDelistRequest(request.id)?.status).toBe('rejected');
  });

  it('lists newest first, by status, within the limit; and persists across connections', () => {
    const { s, path } = open();
    const ids = ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24'].map(
      (net, i) => s.addDelistRequest(req(net, T + i)).request.id,
    );
    s.decideDelistRequest(ids[1] ?? '', {
      decision: 'reject',
      actor: 'a',
      note: 'no',
      at: T + 9,
      allowlist_expires_at: null,
    });
    expect(s.listDelistRequests({ limit: 10 }).map((r) => r.id)).toEqual([...ids].reverse());
    expect(s.listDelistRequests({ status: 'pending', limit: 10 }).map((r) => r.id)).toEqual([ids[2], ids[0]]);
    expect(s.listDelistRequests({ status: 'rejected', limit: 10 }).map((r) => r.note)).toEqual(['no']);
    expect(s.listDelistRequests({ limit: 1 })).toHaveLength(1);
    const other = open(path, false).s;
    expect(other.listDelistRequests({ limit: 10 })).toEqual(s.listDelistRequests({ limit: 10 }));
  });
});

it('refuses a database without the blocklist tables', () => {
  expect(() => open(join(dir, 'bare.db'), false)).toThrow(/blocklist migration is not applied/);
});
