/**
 * Which inbound ports and ranges an advisory recommends blocking, from the correlation's top service candidates
 * (their `block` lists), the attacked port itself, and the linked exploits (SMB or RPC named in an exploit's
 * port or title adds 139/445 or 135).
 *
 * Invariants: only tcp and udp ranges within 0..65535 with from <= to; overlapping or adjacent ranges of a
 * protocol are merged with their reasons united; the result is sorted (tcp first, then by port), so the same
 * correlation always gives the same list. Malformed `block` entries are skipped and reported in `skipped`.
 */
import type { Protocol } from '../../../core/event.js';
import type { BlockRange } from '../../../protocol/advisory-types.js';
import type { Correlation, ServiceCandidate } from '../../../protocol/intel-types.js';

/** Candidates whose score is at least this share of the best one count as "top" (at most MAX_CANDIDATES). */
const TOP_SHARE = 0.5;
const MAX_CANDIDATES = 3;

const SMB = /\b(smb|cifs|netbios|microsoft-ds|445|139)\b/i;
const RPC = /\b(rpc|dcom|epmap|135)\b/i;

export interface BlockPlan {
  ranges: BlockRange[];
  skipped: string[];
}

/** Parses 'tcp/135' or 'tcp/1024-65535'; null when malformed. */
export function parseBlock(entry: string): { proto: 'tcp' | 'udp'; from: number; to: number } | null {
  const m = /^(tcp|udp)\/(\d{1,5})(?:-(\d{1,5}))?$/.exec(entry.trim().toLowerCase());
  if (!m) return null;
  const from = Number(m[2]);
  const to = m[3] === undefined ? from : Number(m[3]);
  if (from > to || to > 65_535) return null;
  return { proto: m[1] as 'tcp' | 'udp', from, to };
}

/** The candidates an advisory builds on: the best ones, by score. */
export function topCandidates(services: readonly ServiceCandidate[]): ServiceCandidate[] {
  const sorted = [...services].sort((a, b) => b.score - a.score || a.name.localeCompare(b.name));
  const best = sorted[0]?.score ?? 0;
  return sorted.filter((s) => s.score > 0 && s.score >= best * TOP_SHARE).slice(0, MAX_CANDIDATES);
}

/** Merges overlapping or adjacent ranges per protocol, uniting their reasons. */
export function mergeRanges(ranges: readonly BlockRange[]): BlockRange[] {
  const sorted = [...ranges].sort((a, b) => a.proto.localeCompare(b.proto) || a.from - b.from || b.to - a.to);
  const out: BlockRange[] = [];
  for (const r of sorted) {
    const last = out.at(-1);
    if (last && last.proto === r.proto && r.from <= last.to + 1) {
      last.to = Math.max(last.to, r.to);
      for (const why of r.reasons) if (!last.reasons.includes(why)) last.reasons.push(why);
    } else out.push({ ...r, reasons: [...r.reasons] });
  }
  return out;
}

/**
 * The ranges to block for a port under attack, given what is known about it.
 * @example planBlocks('tcp', 1025, correlation).ranges // [{ proto: 'tcp', from: 135, ... }, { from: 1024, to: 65535 }]
 */
export function planBlocks(proto: Protocol, port: number, correlation: Correlation | null): BlockPlan {
  const ranges: BlockRange[] = [];
  const skipped: string[] = [];
  for (const c of topCandidates(correlation?.services ?? [])) {
    for (const entry of c.block) {
      const r = parseBlock(entry);
      if (!r) skipped.push(`${c.name}: ${entry}`);
      else ranges.push({ ...r, reasons: [`used by ${c.description} (${c.name})`] });
    }
  }
  if (proto === 'tcp' || proto === 'udp')
    ranges.push({ proto, from: port, to: port, reasons: ['the attacked port'] });

  const smb = new Set<string>();
  const rpc = new Set<string>();
  for (const v of correlation?.vulnerabilities ?? []) {
    for (const e of v.exploits) {
      if (e.port === 445 || e.port === 139 || SMB.test(e.title)) smb.add(e.id);
      if (e.port === 135 || RPC.test(e.title)) rpc.add(e.id);
    }
  }
  if (smb.size > 0) {
    const why = `linked exploits reach it over SMB (${[...smb].sort().join(', ')})`;
    ranges.push(
      { proto: 'tcp', from: 139, to: 139, reasons: [why] },
      { proto: 'tcp', from: 445, to: 445, reasons: [why] },
    );
  }
  if (rpc.size > 0)
    ranges.push({
      proto: 'tcp',
      from: 135,
      to: 135,
      reasons: [`linked exploits use Microsoft RPC (${[...rpc].sort().join(', ')})`],
    });
  return { ranges: mergeRanges(ranges), skipped };
}

/** '135', '1024-65535'. */
export const rangeText = (r: Pick<BlockRange, 'from' | 'to'>, sep = '-'): string =>
  r.from === r.to ? String(r.from) : `${r.from}${sep}${r.to}`;
