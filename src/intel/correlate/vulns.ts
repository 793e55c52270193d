/**
 * The vulnerabilities of the candidate services, ranked for a moment `at`.
 *
 * Linking (through the store's product index): a vulnerability of one of a family's `products` is linked by
 * the product; one of its `platforms` (an operating system) only when its title or description also names one
 * of the family's keywords as whole words. Only what was published by `at` is considered (the most recent
 * `perQueryLimit` of each query).
 *
 * Score, 0..1: (0.35 recency + 0.15 KEV + 0.15 CVSS + 0.15 exploits + 0.20 match) x (0.5 + 0.5 service score),
 * where recency is 1 at disclosure, 0.5 after 30 days, then halves about every four months; KEV and exploits
 * count only if listed or published by `at`; CVSS is the base score / 10 (0.3 when unknown); match is 0.6 for
 * a product of the family, 0.2 for its platform, plus 0.4 for a keyword. The reasons say each part in words.
 */
import type { Exploit, RankedVulnerability, Vulnerability } from '../../protocol/intel-types.js';
import type { IntelStore } from '../../store/intel-store.js';
import type { Family } from '../curated/load.js';
import { publicationKnown } from '../merge.js';
import { hasKeyword } from '../text.js';
import type { RankedService } from './services.js';

const DAY = 86_400_000;
export const RECENT_DAYS = 30;

export interface VulnRankOptions {
  at: number;
  /** Default 20. */
  maxVulnerabilities?: number;
  /** Most recent records read per store query; default 500. */
  perQueryLimit?: number;
}

interface Link {
  v: Vulnerability;
  service: number;
  via: Set<string>;
  products: Set<string>;
  platform: boolean;
  specific: boolean;
  keywords: Set<string>;
}

const matches = (product: string, pattern: string): boolean =>
  pattern.endsWith('*') ? product.startsWith(pattern.slice(0, -1)) : product === pattern;

/** 1 at disclosure, 0.5 at RECENT_DAYS, then exponential decay. */
export function recencyScore(ageMs: number): number {
  const days = Math.max(0, ageMs / DAY);
  return days <= RECENT_DAYS ? 1 - (0.5 * days) / RECENT_DAYS : 0.5 * Math.exp(-(days - RECENT_DAYS) / 180);
}

function age(ms: number): string {
  const days = Math.floor(ms / DAY);
  if (days < 1) return 'the same day as';
  if (days < 60) return `${days} day${days === 1 ? '' : 's'} before`;
  if (days < 730) return `${Math.round(days / 30.4)} months before`;
  return `${(days / 365.25).toFixed(1)} years before`;
}

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

function collect(
  services: readonly RankedService[],
  store: IntelStore,
  at: number,
  limit: number,
): Map<string, Link> {
  const links = new Map<string, Link>();
  const add = (f: Family, score: number, list: Vulnerability[], how: 'product' | 'platform'): void => {
    for (const v of list) {
      const text = `${v.title} ${v.description}`;
      const kws = f.keywords.filter((k) => hasKeyword(text, k));
      if (how === 'platform' && kws.length === 0) continue;
      let l = links.get(v.id);
      if (l === undefined) {
        l = {
          v,
          service: 0,
          via: new Set(),
          products: new Set(),
          platform: false,
          specific: false,
          keywords: new Set(),
        };
        links.set(v.id, l);
      }
      l.service = Math.max(l.service, score);
      l.via.add(f.name);
      const patterns = how === 'product' ? f.products : f.platforms;
      for (const p of v.products) if (patterns.some((pat) => matches(p, pat))) l.products.add(p);
      if (how === 'product') l.specific = true;
      else l.platform = true;
      for (const k of kws) l.keywords.add(k);
    }
  };
  for (const s of services) {
    const f = s.family;
    if (f === null) continue;
    if (f.products.length > 0)
      add(
        f,
        s.candidate.score,
        store.vulnerabilitiesFor({ products: f.products, until: at, limit }),
        'product',
      );
    if (f.platforms.length > 0 && f.keywords.length > 0)
      add(
        f,
        s.candidate.score,
        store.vulnerabilitiesFor({ products: f.platforms, keywords: f.keywords, until: at, limit }),
        'platform',
      );
  }
  return links;
}

function rank(l: Link, exploits: readonly Exploit[], at: number): RankedVulnerability {
  const v = l.v;
  const reasons: string[] = [];
  const products = [...l.products].slice(0, 3).join(', ');
  reasons.push(
    `affects ${products} (${l.specific ? 'a product' : 'the platform'} of ${[...l.via].join(', ')})`,
  );
  if (l.keywords.size > 0) reasons.push(`names ${[...l.keywords].map((k) => `"${k}"`).join(', ')}`);
  const rec = recencyScore(at - v.published);
  const known = publicationKnown(v);
  const when = `${age(at - v.published)} ${day(at)}`;
  if (known)
    reasons.push(
      `disclosed ${when}${at - v.published <= RECENT_DAYS * DAY ? ` (within ${RECENT_DAYS} days)` : ''}`,
    );
  else reasons.push(`listed in CISA KEV ${when} (no publication date known)`);
  const kevNow = v.kev !== null && v.kev.date_added <= at;
  if (v.kev !== null)
    reasons.push(
      kevNow
        ? `in CISA KEV since ${day(v.kev.date_added)}${v.kev.ransomware ? ' (known ransomware use)' : ''}`
        : `added to CISA KEV later, on ${day(v.kev.date_added)}`,
    );
  if (v.cvss !== null) reasons.push(`CVSS ${v.cvss.version} base score ${v.cvss.score.toFixed(1)}`);
  const before = exploits.filter((x) => x.published <= at);
  if (exploits.length > 0)
    reasons.push(
      `${before.length} public exploit${before.length === 1 ? '' : 's'} by then` +
        (before.length > 0 ? ` (${before.map((x) => x.id).join(', ')})` : '') +
        (exploits.length > before.length ? `, ${exploits.length - before.length} later` : ''),
    );
  const match = Math.min(
    1,
    (l.specific ? 0.6 : 0) + (l.platform ? 0.2 : 0) + (l.keywords.size > 0 ? 0.4 : 0),
  );
  const base =
    0.35 * rec +
    0.15 * (kevNow ? 1 : 0) +
    0.15 * (v.cvss === null ? 0.3 : v.cvss.score / 10) +
    0.15 * Math.min(1, Math.log2(1 + before.length) / 3) +
    0.2 * match;
  const score = Math.round(base * (0.5 + 0.5 * l.service) * 1000) / 1000;
  return { vulnerability: v, score, reasons, exploits: [...exploits] };
}

/** @example rankVulnerabilities(rankServices('tcp', 1025, kb.families, kb.registry), kb.store, { at }) */
export function rankVulnerabilities(
  services: readonly RankedService[],
  store: IntelStore,
  o: VulnRankOptions,
): RankedVulnerability[] {
  const links = collect(services, store, o.at, o.perQueryLimit ?? 500);
  const byCve = new Map<string, Exploit[]>();
  for (const x of store.exploitsFor([...links.keys()]))
    for (const c of x.cves) byCve.set(c, [...(byCve.get(c) ?? []), x]);
  return [...links.values()]
    .map((l) => rank(l, byCve.get(l.v.id.toUpperCase()) ?? [], o.at))
    .sort(
      (a, b) =>
        b.score - a.score ||
        b.vulnerability.published - a.vulnerability.published ||
        a.vulnerability.id.localeCompare(b.vulnerability.id),
    )
    .slice(0, o.maxVulnerabilities ?? 20);
}
