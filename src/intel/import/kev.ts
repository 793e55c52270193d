/**
 * CISA's Known Exploited Vulnerabilities catalogue, `known_exploited_vulnerabilities.json`
 * (https://www.cisa.gov/known-exploited-vulnerabilities-catalog; schema known_exploited_vulnerabilities_schema.json
 * of https://github.com/cisagov/kev-data): `{ title, catalogVersion, dateReleased, count, vulnerabilities: [...] }`.
 *
 * A record becomes a Vulnerability with its KEV block; the catalogue has no publication date, so `published` is
 * the date added (merge.ts lets an NVD or curated record replace it). Fields the schema requires must be there
 * and well-formed; optional ones (notes, cwes, knownRansomwareCampaignUse) may be missing.
 */
import { z } from 'zod';
import { makeError } from '../../core/errors.js';
import type { Vulnerability } from '../../protocol/intel-types.js';
import { CVE_ID, parseDay, productOf } from '../text.js';
import { problemOf } from './problem.js';
import type { Mapped } from './summary.js';

export const KEV_CATALOG_URL = 'https://www.cisa.gov/known-exploited-vulnerabilities-catalog';

const day = z.string().refine((s) => parseDay(s) !== null, 'must be a date YYYY-MM-DD');

const kevRecord = z.object({
  cveID: z.string().regex(CVE_ID, 'must be a CVE id'),
  vendorProject: z.string(),
  product: z.string(),
  vulnerabilityName: z.string().min(1),
  dateAdded: day,
  shortDescription: z.string(),
  requiredAction: z.string(),
  dueDate: day,
  knownRansomwareCampaignUse: z.string().optional(),
  notes: z.string().optional(),
  cwes: z.array(z.string()).optional(),
});

/** @example mapKev(record) // { ok: true, value: { id: 'CVE-2025-21418', kev: { ... }, ... } } */
export function mapKev(raw: unknown): Mapped<Vulnerability> {
  const r = kevRecord.safeParse(raw);
  if (!r.success) return { ok: false, ...problemOf(r.error, raw) };
  const k = r.data;
  const product = productOf(k.vendorProject, k.product);
  if (product === null)
    return { ok: false, field: 'vendorProject', reason: 'invalid (empty vendor or product)' };
  const added = parseDay(k.dateAdded) ?? 0;
  return {
    ok: true,
    value: {
      id: k.cveID,
      title: k.vulnerabilityName,
      description: k.shortDescription,
      published: added,
      cvss: null,
      kev: {
        date_added: added,
        due_date: parseDay(k.dueDate),
        ransomware: k.knownRansomwareCampaignUse?.trim().toLowerCase() === 'known',
      },
      products: [product],
      advisories: [],
      references: (k.notes ?? '')
        .split(';')
        .map((s) => s.trim())
        .filter((s) => /^https?:\/\/\S+$/.test(s)),
      sources: [{ kind: 'cisa-kev', ref: KEV_CATALOG_URL }],
    },
  };
}

/**
 * The catalogue's own fields, checked once the file is read: a file without them is not the KEV catalogue and
 * is refused whole. A `count` that differs from the records read is noted, not refused.
 */
export function checkKevHeader(
  name: string,
  fields: ReadonlyMap<string, unknown>,
  records: number,
): string[] {
  for (const key of ['catalogVersion', 'dateReleased'])
    if (typeof fields.get(key) !== 'string')
      throw makeError(
        'SW_INTEL_INVALID',
        `${name}: not the CISA KEV catalogue: "${key}" is missing or not text`,
        {
          details: { file: name, field: key },
        },
      );
  const count = fields.get('count');
  return typeof count === 'number' && count !== records
    ? [`the catalogue says count ${count}, the file holds ${records} records`]
    : [];
}
