/**
 * What a blocklist is: the entries (networks or single sources) with the evidence for each, the window and
 * the rules that made it. Times are ms since the epoch; event time for activity and expiry.
 */

export type BlocklistKind = 'networks' | 'sources';

export const BLOCKLIST_KINDS: readonly BlocklistKind[] = ['networks', 'sources'];

/** The rules of a list (docs/BLOCKLISTS.md has the reasons for the defaults). */
export interface BlocklistSettings {
  /** An entry needs at least this many sensors, operators and events (see the header of builder.ts). */
  min_sensors: number;
  min_operators: number;
  min_events: number;
  /** Networks only: at least this many distinct sources in the network. */
  min_sources: number;
  /** An entry expires this long after its source was last seen. */
  ttl_ms: number;
  /** Aggregation prefixes of the network list. */
  v4_prefix: number;
  v6_prefix: number;
  /** How many top sources (by events) of the window are read to make the lists. */
  scan_sources: number;
}

export const DEFAULT_SETTINGS: Readonly<BlocklistSettings> = Object.freeze({
  min_sensors: 2,
  min_operators: 2,
  min_events: 10,
  min_sources: 1,
  ttl_ms: 7 * 86_400_000,
  v4_prefix: 24,
  v6_prefix: 48,
  scan_sources: 20_000,
});

export interface PortCount {
  /** `proto/port`, e.g. `tcp/445`. */
  key: string;
  events: number;
}

export interface BlocklistEntry {
  /** Canonical CIDR (`203.0.113.0/24`; a source is `/32` or `/128`). */
  cidr: string;
  /** What list formats write: the CIDR for networks, the bare address for sources. */
  value: string;
  family: 4 | 6;
  events: number;
  /** Distinct sources in the network (1 for a source). */
  sources: number;
  /** Lower bounds: the largest per-source count in the network (distinct sets are not kept across sources). */
  sensors: number;
  operators: number;
  /** Most-hit ports, counts summed over the sources. */
  ports: PortCount[];
  /** Networks: the busiest sources in it (at most 5). */
  top_sources: Array<{ ip: string; events: number }>;
  first_seen: number;
  last_seen: number;
  /** last_seen + ttl: after this the entry is no longer listed. */
  expires: number;
  country: string | null;
  asn: number | null;
  as_name: string | null;
  /** Why it is listed, in one line. */
  reason: string;
}

export interface Blocklist {
  kind: BlocklistKind;
  /** Event time the list was made at (whole minute). */
  generated_at: number;
  window: { days: number; from: number; to: number };
  settings: BlocklistSettings;
  entries: BlocklistEntry[];
  /** Candidates left out, by reason (counts). */
  excluded: { allowlisted: number; below_thresholds: number; never_listed: number; expired: number };
  /** How to ask for delisting (a sentence with a URL or address). */
  delisting: string;
}

/** An allowlist range as the builder needs it (the store's records carry more). */
export interface AllowRange {
  cidr: string;
  expires_at: number | null;
}
