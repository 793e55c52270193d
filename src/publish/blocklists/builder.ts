/**
 * The blocklist builder (pure): from the per-source totals of a window (store.topSources) to the listed
 * networks or sources, each with the evidence for listing it and an expiry.
 *
 * Rules, in this order:
 * 1. A source in a range that never routes on the Internet (never-list.ts) is dropped, and so is a source
 *    whose text is not an address.
 * 2. `networks`: sources are grouped by their IPv4 /24 (IPv6 /48) network; events and ports add up, first/last
 *    seen are the min/max, country and AS are those of the busiest source. `sensors` and `operators` are the
 *    largest count of one source (the store keeps counts, not sets, per source): a lower bound, so the
 *    thresholds below can only under-list, never over-list.
 * 3. Thresholds: an entry needs min_events events, min_sensors sensors and min_operators operators (networks:
 *    also min_sources sources). With the default of 2 operators, activity seen only by one operator's sensors is
 *    never listed: it could be a poisoning attempt (an operator reporting a victim as an attacker).
 * 4. Expiry: last_seen + ttl_ms; an entry already expired at `now` is left out.
 * 5. Allowlist: an entry that overlaps an active allowlist range (expires_at null or after `allowNow`) is left
 *    out, also when the range only covers part of a network.
 * 6. Order: events, then sources, descending; then the CIDR text. The first `limit` entries are listed.
 * Every left-out candidate is counted by reason in `excluded`.
 */
import { TOP_PORTS } from '../../store/rollups/index.js';
import type { SourceTotals } from '../../store/store.js';
import { formatCidr, formatValue, hostPrefix, networkOf, overlaps, parseAddress, parseCidr } from './cidr.js';
import type { Network } from './cidr.js';
import { isNeverListed } from './never-list.js';
import type { AllowRange, Blocklist, BlocklistEntry, BlocklistKind, BlocklistSettings } from './types.js';

export interface BuildInput {
  kind: BlocklistKind;
  /** The window's per-source totals (any order). */
  sources: readonly SourceTotals[];
  settings: BlocklistSettings;
  allowlist: readonly AllowRange[];
  /** Event time now (expiry), and real time now (allowlist expiry). */
  now: number;
  allowNow: number;
  window: { days: number; from: number; to: number };
  limit: number;
  delisting: string;
}

interface Group {
  net: Network;
  members: SourceTotals[];
}

const iso = (ms: number): string => new Date(ms).toISOString();

function reason(e: Omit<BlocklistEntry, 'reason'>, kind: BlocklistKind): string {
  const parts = [
    `${e.events} events${kind === 'networks' ? ` from ${e.sources} source${e.sources === 1 ? '' : 's'}` : ''}`,
    `seen by at least ${e.sensors} sensors of ${e.operators} operators`,
    `${iso(e.first_seen)} to ${iso(e.last_seen)}`,
  ];
  if (e.ports.length > 0) parts.push(`ports ${e.ports.map((p) => `${p.key} (${p.events})`).join(', ')}`);
  if (e.asn !== null) parts.push(`AS${e.asn}${e.as_name ? ` ${e.as_name}` : ''}`);
  if (e.country !== null) parts.push(`country ${e.country}`);
  return parts.join('; ');
}

function entryOf(g: Group, kind: BlocklistKind, ttl: number): BlocklistEntry {
  const ports = new Map<string, number>();
  let events = 0;
  let first = Number.MAX_SAFE_INTEGER;
  let last = 0;
  let sensors = 0;
  let operators = 0;
  let busiest = g.members[0] as SourceTotals;
  for (const s of g.members) {
    events += s.events;
    first = Math.min(first, s.first_seen);
    last = Math.max(last, s.last_seen);
    sensors = Math.max(sensors, s.sensors);
    operators = Math.max(operators, s.operators);
    if (s.events > busiest.events || (s.events === busiest.events && s.src < busiest.src)) busiest = s;
    for (const [key, n] of s.top_ports) ports.set(key, (ports.get(key) ?? 0) + n);
  }
  const top_sources = [...g.members]
    .sort((a, b) => b.events - a.events || (a.src < b.src ? -1 : 1))
    .slice(0, kind === 'networks' ? 5 : 0)
    .map((s) => ({ ip: s.src, events: s.events }));
  const e: Omit<BlocklistEntry, 'reason'> = {
    cidr: formatCidr(g.net),
    value: formatValue(g.net),
    family: g.net.family,
    events,
    sources: g.members.length,
    sensors,
    operators,
    ports: [...ports]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, TOP_PORTS)
      .map(([key, n]) => ({ key, events: n })),
    top_sources,
    first_seen: first,
    last_seen: last,
    expires: last + ttl,
    country: busiest.country,
    asn: busiest.asn,
    as_name: busiest.as_name,
  };
  return { ...e, reason: reason(e, kind) };
}

function group(input: BuildInput, excluded: Blocklist['excluded']): Group[] {
  const groups = new Map<string, Group>();
  for (const s of input.sources) {
    const addr = parseAddress(s.src);
    if (addr === null) {
      excluded.never_listed++;
      continue;
    }
    const host = networkOf(addr.family, addr.value, hostPrefix(addr.family));
    if (isNeverListed(host)) {
      excluded.never_listed++;
      continue;
    }
    const prefix =
      input.kind === 'sources'
        ? hostPrefix(addr.family)
        : addr.family === 4
          ? input.settings.v4_prefix
          : input.settings.v6_prefix;
    const net = networkOf(addr.family, addr.value, prefix);
    const key = formatCidr(net);
    const g = groups.get(key);
    if (g) g.members.push(s);
    else groups.set(key, { net, members: [s] });
  }
  return [...groups.values()];
}

/**
 * The blocklist of `input.kind` (see the rules above).
 * @example buildBlocklist({ kind: 'networks', sources: store.topSources(from, to, 20000), settings, ... })
 */
export function buildBlocklist(input: BuildInput): Blocklist {
  const { settings: st, now } = input;
  const excluded: Blocklist['excluded'] = {
    allowlisted: 0,
    below_thresholds: 0,
    never_listed: 0,
    expired: 0,
  };
  const allow = input.allowlist
    .filter((a) => a.expires_at === null || a.expires_at > input.allowNow)
    .map((a) => parseCidr(a.cidr))
    .filter((n): n is Network => n !== null);
  const entries: BlocklistEntry[] = [];
  for (const g of group(input, excluded)) {
    const e = entryOf(g, input.kind, st.ttl_ms);
    const enough =
      e.events >= st.min_events &&
      e.sensors >= st.min_sensors &&
      e.operators >= st.min_operators &&
      (input.kind === 'sources' || e.sources >= st.min_sources);
    if (!enough) excluded.below_thresholds++;
    else if (e.expires <= now) excluded.expired++;
    else if (allow.some((a) => overlaps(a, g.net))) excluded.allowlisted++;
    else entries.push(e);
  }
  entries.sort((a, b) => b.events - a.events || b.sources - a.sources || (a.cidr < b.cidr ? -1 : 1));
  return {
    kind: input.kind,
    generated_at: now,
    window: input.window,
    settings: { ...st },
    entries: entries.slice(0, Math.max(0, input.limit)),
    excluded,
    delisting: input.delisting,
  };
}
