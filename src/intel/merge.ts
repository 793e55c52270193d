/**
 * How a record arriving from one source is merged with what the store holds from others (the store itself only
 * replaces, see src/store/intel-store.ts).
 *
 * Rules:
 * - Lists (products, advisories, references, sources, exploit CVE ids) are unions, in first-seen order.
 * - Scalar fields (title, description, published, cvss) come from the more trusted side, falling back to the
 *   other side where the trusted one has none. Trust: curated and manual entries (reviewed by us) > NVD >
 *   CISA KEV (which has no publication date: a KEV-only record carries its listing date, see
 *   `publicationKnown`). Equal trust: the incoming record wins (a newer download).
 * - The KEV block comes from a KEV import when there is one (it alone says `ransomware`); NVD's cisa* fields
 *   only fill it when nothing better is stored.
 * - An exploit's fields come from the incoming record.
 */
import type { Exploit, KnowledgeSource, Vulnerability } from '../protocol/intel-types.js';

const TRUST: Readonly<Record<string, number>> = { curated: 3, manual: 3, nvd: 2, 'cisa-kev': 1 };

const trust = (v: Vulnerability): number => Math.max(0, ...v.sources.map((s) => TRUST[s.kind] ?? 0));

function union<T>(a: readonly T[], b: readonly T[], key: (x: T) => string = String): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  for (const x of [...a, ...b]) {
    const k = key(x);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(x);
  }
  return out;
}

const sourceKey = (s: KnowledgeSource): string => `${s.kind}\u0000${s.ref}`;

/** Whether the record's `published` is a publication date (false: only CISA KEV knows it, by listing date). */
export function publicationKnown(v: Vulnerability): boolean {
  return v.sources.some((s) => s.kind !== 'cisa-kev');
}

/** @example store.upsertVulnerabilities([old ? mergeVulnerability(old, incoming) : incoming]) */
export function mergeVulnerability(old: Vulnerability, inc: Vulnerability): Vulnerability {
  const [hi, lo] = trust(inc) >= trust(old) ? [inc, old] : [old, inc];
  const incFromKev = inc.kev !== null && inc.sources.some((s) => s.kind === 'cisa-kev');
  return {
    id: old.id,
    title: hi.title !== '' ? hi.title : lo.title,
    description: hi.description !== '' ? hi.description : lo.description,
    published: publicationKnown(hi) || !publicationKnown(lo) ? hi.published : lo.published,
    cvss: hi.cvss ?? lo.cvss,
    kev: incFromKev ? inc.kev : (old.kev ?? inc.kev),
    products: union(old.products, inc.products),
    advisories: union(old.advisories, inc.advisories),
    references: union(old.references, inc.references),
    sources: union(old.sources, inc.sources, sourceKey),
  };
}

export function mergeExploit(old: Exploit, inc: Exploit): Exploit {
  return {
    ...inc,
    cves: union(old.cves, inc.cves),
    url: inc.url ?? old.url,
    sources: union(old.sources, inc.sources, sourceKey),
  };
}
