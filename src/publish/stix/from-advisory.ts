/**
 * Published advisories (src/store/advisory-store.ts) as StixAdvisoryInput: the published version's title,
 * summary, CVEs, exploit count and block ranges. Only `published` and `updated` advisories with a published
 * version are taken; a withdrawn advisory leaves the STIX collection.
 *
 * Invariants: only CVE ids are passed on (a vendor id in the vulnerability list has no STIX `cve` reference);
 * `published` is when the advisory first went public, `updated` when its published version did (never before).
 */
import type { AdvisoryRecord, AdvisoryVersion } from '../../protocol/advisory-types.js';
import type { AdvisoryStore } from '../../store/advisory-store.js';
import type { StixAdvisoryInput } from './advisory.js';
import { CVE_PATTERN } from './objects.js';

/** One advisory and its published version as the STIX builder's input. */
export function stixAdvisoryInput(a: AdvisoryRecord, v: AdvisoryVersion): StixAdvisoryInput {
  const published = a.published_at ?? v.published_at ?? v.at;
  const f = v.fields;
  return {
    id: a.id,
    title: v.title,
    summary: v.summary,
    published,
    updated: Math.max(published, v.published_at ?? published),
    proto: a.proto,
    port: a.port,
    cves: f.vulnerabilities.map((x) => x.id).filter((id) => CVE_PATTERN.test(id)),
    exploit_count: f.exploit_count,
    block: f.recommendations.block.map((b) => `${b.proto}/${b.from === b.to ? b.from : `${b.from}-${b.to}`}`),
  };
}

/**
 * The published advisories, newest first as the store lists them, at most `limit`.
 * @example taxiiRoutes(app, { advisories: () => publishedAdvisories(store.advisories), ... })
 */
export function publishedAdvisories(
  store: Pick<AdvisoryStore, 'listAdvisories' | 'getVersion'>,
  limit = 500,
): StixAdvisoryInput[] {
  const out: StixAdvisoryInput[] = [];
  for (const a of store.listAdvisories({ statuses: ['published', 'updated'], limit })) {
    const v = a.published_version === null ? undefined : store.getVersion(a.id, a.published_version);
    if (v) out.push(stixAdvisoryInput(a, v));
  }
  return out;
}
