/**
 * The blocklists' own records: the allowlist (ranges never listed, with a reason and an optional expiry) and
 * the public delisting requests an admin approves or rejects (docs/BLOCKLISTS.md). The lists themselves are
 * computed from the source rollups (Store.topSources) and never stored.
 *
 * Rules every implementation keeps:
 * - Ids are assigned by the store: `al_` (allowlist) and `dr_` (delisting request) + 16 random hex.
 * - CIDR text is stored as given: callers validate and canonicalise it first (src/publish/blocklists/cidr.ts).
 * - At most one PENDING request per network: a second request for a network with one pending returns that
 *   one (`created: false`) instead of queueing a duplicate; the check and the insert are atomic.
 * - decideDelistRequest is atomic: a pending request is decided exactly once; approving adds its allowlist
 *   entry in the same transaction and links the two. Deciding an unknown request throws SW_NOT_FOUND, a decided
 *   one SW_CONFLICT (and changes nothing).
 * - Times are real time (ms since the epoch), never the event clock. Expired allowlist entries stay listed here
 *   (with their expiry) until removed: the builder ignores them.
 * - Lists are ordered: the allowlist by creation (oldest first), requests newest first.
 */

export interface AllowlistEntry {
  id: string;
  /** Canonical CIDR, IPv4 or IPv6. */
  cidr: string;
  reason: string;
  created_at: number;
  /** Who added it (an admin's name, or `delist:<request id>`'s approver). */
  created_by: string;
  /** Null: never expires. */
  expires_at: number | null;
  /** The approved delisting request that made it, if any. */
  delist_request_id: string | null;
}

export type NewAllowlistEntry = Omit<AllowlistEntry, 'id'>;

export type DelistStatus = 'pending' | 'approved' | 'rejected';

export interface DelistRequest {
  id: string;
  /** Canonical CIDR (a single address as /32 or /128). */
  network: string;
  /** How to reach the requester (admin-only: never shown publicly). */
  contact: string;
  reason: string;
  status: DelistStatus;
  created_at: number;
  decided_at: number | null;
  decided_by: string | null;
  note: string | null;
  /** The allowlist entry an approval added. */
  allowlist_id: string | null;
}

export interface DelistDecision {
  decision: 'approve' | 'reject';
  actor: string;
  note: string | null;
  at: number;
  /** Approvals: when the allowlist entry expires (null: never). */
  allowlist_expires_at: number | null;
}

export interface BlocklistStore {
  listAllowlist(): AllowlistEntry[];
  addAllowlistEntry(entry: NewAllowlistEntry): AllowlistEntry;
  /** False when there is no such entry. */
  removeAllowlistEntry(id: string): boolean;
  addDelistRequest(r: Pick<DelistRequest, 'network' | 'contact' | 'reason' | 'created_at'>): {
    request: DelistRequest;
    created: boolean;
  };
  getDelistRequest(id: string): DelistRequest | undefined;
  listDelistRequests(q: { status?: DelistStatus; limit: number }): DelistRequest[];
  countDelistRequests(status: DelistStatus): number;
  /** See the rules above; returns the decided request. */
  decideDelistRequest(id: string, d: DelistDecision): DelistRequest;
}
