/**
 * Which services or technologies an attacked port may reach, ranked.
 *
 * Order of evidence (the score says it, the reasons say why):
 * - a port listed by a curated family: 0.9 (0.95 when one of the family's ranges holds it too);
 * - a curated range holding the port: 0.55-0.8, narrower ranges higher (0.61 for 1025-5000, 0.55 for a range
 *   of all ports);
 * - IANA's registration of the port alone: 0.35. A registration the curated entry names as the same service
 *   (`iana`) is a further reason of that candidate (+0.03) instead of a candidate of its own.
 * One candidate per family (named after its best-matching entry); ties break by name.
 */
import type { Protocol } from '../../core/event.js';
import type { ServiceCandidate } from '../../protocol/intel-types.js';
import type { Family } from '../curated/load.js';
import type { PortEntry } from '../curated/schema.js';
import { IANA_REGISTRY_URL } from '../registry.js';
import type { PortRegistry } from '../registry.js';

export interface RankedService {
  candidate: ServiceCandidate;
  /** The curated family behind the candidate; null for a bare registry entry. */
  family: Family | null;
}

export const SCORE_EXACT = 0.9;
export const SCORE_REGISTRY = 0.35;

/** 0.8 for a range of one port down to 0.55 for all 65536. */
export function rangeScore(lo: number, hi: number): number {
  return 0.55 + 0.25 * (1 - Math.log2(hi - lo + 1) / 16);
}

const round = (x: number): number => Math.round(x * 1000) / 1000;

export function rankServices(
  proto: Protocol,
  port: number,
  families: readonly Family[],
  registry: PortRegistry,
): RankedService[] {
  const key = `${proto}/${port}`;
  const iana = registry.lookup(proto, port);
  const ianaSource = { kind: 'iana', ref: `${IANA_REGISTRY_URL}?search=${port}` };
  let ianaClaimed = false;
  const out: RankedService[] = [];
  for (const family of families) {
    const exact = family.ports.filter((p) => p.proto === proto && p.port === port);
    const ranges = family.ports
      .filter((p): p is PortEntry & { range: [number, number] } => p.proto === proto && p.range !== undefined)
      .filter((p) => p.range[0] <= port && port <= p.range[1])
      .sort((a, b) => a.range[1] - a.range[0] - (b.range[1] - b.range[0]));
    const best = exact[0] ?? ranges[0];
    if (best === undefined) continue;
    const reasons: string[] = [];
    for (const p of exact) reasons.push(`${key} is a curated port of ${family.name}: ${p.note}`);
    for (const p of ranges) {
      const [lo, hi] = p.range;
      const first = port === lo ? `; ${port} is its first port` : '';
      reasons.push(`${key} is in the range ${lo}-${hi} of ${family.name}: ${p.note}${first}`);
    }
    const narrowest = ranges[0]?.range;
    let score =
      exact.length > 0
        ? SCORE_EXACT + (ranges.length > 0 ? 0.05 : 0)
        : narrowest === undefined
          ? 0
          : rangeScore(narrowest[0], narrowest[1]);
    const sources = family.sources.map((ref) => ({ kind: 'curated', ref }));
    if (
      iana !== null &&
      family.ports.some((p) => p.iana === iana.name && p.proto === proto && p.port === port)
    ) {
      ianaClaimed = true;
      score += 0.03;
      reasons.push(`IANA registers ${key} as "${iana.name}" (${iana.description}) too`);
      sources.push(ianaSource);
    }
    out.push({
      family,
      candidate: {
        name: best.service,
        description: `${family.name}: ${family.description}`,
        family: family.id,
        score: round(Math.min(1, score)),
        reasons,
        block: [...family.block],
        sources,
      },
    });
  }
  if (iana !== null && !ianaClaimed)
    out.push({
      family: null,
      candidate: {
        name: iana.name,
        description: iana.description,
        family: null,
        score: SCORE_REGISTRY,
        reasons: [
          `IANA registers ${key} as "${iana.name}"${iana.description === '' ? '' : ` (${iana.description})`}; a registration says what may listen there, not what attackers look for`,
        ],
        block: [key],
        sources: [ianaSource],
      },
    });
  return out.sort(
    (a, b) => b.candidate.score - a.candidate.score || a.candidate.name.localeCompare(b.candidate.name),
  );
}
