/**
 * The JSON shapes the API answers for blocklists, allowlist entries and delisting requests: the records with
 * times as ISO 8601 text. The public never sees a requester's contact; `adminDelistView` is for admins only.
 */
import type { AllowlistEntry, DelistRequest } from '../../store/blocklist-store.js';
import type { Blocklist, BlocklistEntry } from './types.js';

const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

export type BlocklistEntryView = Omit<BlocklistEntry, 'first_seen' | 'last_seen' | 'expires'> & {
  first_seen: string;
  last_seen: string;
  expires: string;
};

export interface BlocklistView {
  kind: Blocklist['kind'];
  generated_at: string;
  window: { days: number; from: string; to: string };
  settings: Blocklist['settings'];
  excluded: Blocklist['excluded'];
  delisting: string;
  items: BlocklistEntryView[];
}

export function blocklistView(list: Blocklist): BlocklistView {
  return {
    kind: list.kind,
    generated_at: iso(list.generated_at),
    window: { days: list.window.days, from: iso(list.window.from), to: iso(list.window.to) },
    settings: list.settings,
    excluded: list.excluded,
    delisting: list.delisting,
    items: list.entries.map((e) => ({
      ...e,
      first_seen: iso(e.first_seen),
      last_seen: iso(e.last_seen),
      expires: iso(e.expires),
    })),
  };
}

export type AllowlistEntryView = Omit<AllowlistEntry, 'created_at' | 'expires_at'> & {
  created_at: string;
  expires_at: string | null;
  /** Not expired at the time of the answer. */
  active: boolean;
};

export function allowlistView(e: AllowlistEntry, now: number): AllowlistEntryView {
  return {
    ...e,
    created_at: iso(e.created_at),
    expires_at: isoOrNull(e.expires_at),
    active: e.expires_at === null || e.expires_at > now,
  };
}

export type DelistRequestView = Omit<DelistRequest, 'created_at' | 'decided_at'> & {
  created_at: string;
  decided_at: string | null;
};

export function adminDelistView(r: DelistRequest): DelistRequestView {
  return { ...r, created_at: iso(r.created_at), decided_at: isoOrNull(r.decided_at) };
}

/** What the public POST answers: the request's id and state, nothing the requester did not send. */
export interface DelistAccepted {
  id: string;
  status: 'pending';
  network: string;
  /** False when a pending request for the network already existed (its id is answered). */
  created: boolean;
}
