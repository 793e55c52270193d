/**
 * NVD CVE records in the CVE API 2.0 format (https://nvd.nist.gov/developers/vulnerabilities; schema
 * https://csrc.nist.gov/schema/nvd/api/2.0/cve_api_json_2.0.schema), as the API answers and the 2.0 feeds hold
 * them: `{ resultsPerPage, startIndex, totalResults, format: "NVD_CVE", version: "2.0", timestamp,
 * vulnerabilities: [{ cve: { id, published, descriptions, metrics, configurations, references, ... } }] }`.
 *
 * Mapping: the English description; the CVSS of the newest metric version given (4.0 > 3.1 > 3.0 > 2.0), its
 * Primary entry first; products from the `criteria` of vulnerable cpeMatch entries; references' URLs, and
 * Microsoft bulletin ids (MS07-029) found in them as advisories; the cisa* fields as a KEV block. Times
 * without a zone are UTC. Rejected CVEs are skipped (counted).
 */
import { z } from 'zod';
import { makeError } from '../../core/errors.js';
import type { Vulnerability } from '../../protocol/intel-types.js';
import { CVE_ID, firstSentence, parseDay, parseTime, productOfCpe } from '../text.js';
import { problemOf } from './problem.js';
import type { Mapped } from './summary.js';

const time = z.string().refine((s) => parseTime(s) !== null, 'must be an ISO date-time');

const metric = z.object({
  type: z.string().optional(),
  cvssData: z.object({
    version: z.string(),
    vectorString: z.string().optional(),
    baseScore: z.number().min(0).max(10),
  }),
});

const nvdRecord = z.object({
  cve: z.object({
    id: z.string().regex(CVE_ID, 'must be a CVE id'),
    published: time,
    vulnStatus: z.string().optional(),
    descriptions: z.array(z.object({ lang: z.string(), value: z.string() })).min(1),
    metrics: z
      .object({
        cvssMetricV40: z.array(metric).optional(),
        cvssMetricV31: z.array(metric).optional(),
        cvssMetricV30: z.array(metric).optional(),
        cvssMetricV2: z.array(metric).optional(),
      })
      .optional(),
    configurations: z
      .array(
        z.object({
          nodes: z.array(
            z.object({
              cpeMatch: z.array(z.object({ vulnerable: z.boolean(), criteria: z.string() })).optional(),
            }),
          ),
        }),
      )
      .optional(),
    references: z.array(z.object({ url: z.string() })).optional(),
    cisaExploitAdd: z.string().optional(),
    cisaActionDue: z.string().optional(),
    cisaVulnerabilityName: z.string().optional(),
  }),
});

type Metrics = NonNullable<z.infer<typeof nvdRecord>['cve']['metrics']>;

function bestCvss(m: Metrics | undefined): Vulnerability['cvss'] {
  if (m === undefined) return null;
  for (const list of [m.cvssMetricV40, m.cvssMetricV31, m.cvssMetricV30, m.cvssMetricV2]) {
    if (list === undefined || list.length === 0) continue;
    const e = list.find((x) => x.type === 'Primary') ?? list[0];
    if (e === undefined) continue;
    return {
      score: e.cvssData.baseScore,
      version: e.cvssData.version,
      vector: e.cvssData.vectorString ?? null,
    };
  }
  return null;
}

/** @example mapNvd({ cve: { id: 'CVE-2007-1748', ... } }) // { ok: true, value: { products: [...] } } */
export function mapNvd(raw: unknown): Mapped<Vulnerability> {
  const r = nvdRecord.safeParse(raw);
  if (!r.success) return { ok: false, ...problemOf(r.error, raw) };
  const c = r.data.cve;
  if (c.vulnStatus === 'Rejected') return { ok: false, field: 'cve.vulnStatus', reason: 'rejected CVE' };
  const description = c.descriptions.find((d) => d.lang === 'en')?.value.trim() ?? '';
  if (description === '')
    return { ok: false, field: 'cve.descriptions', reason: 'missing (no English text)' };
  const products = new Set<string>();
  for (const conf of c.configurations ?? [])
    for (const node of conf.nodes)
      for (const m of node.cpeMatch ?? []) {
        const p = m.vulnerable ? productOfCpe(m.criteria) : null;
        if (p !== null) products.add(p);
      }
  const references = [
    ...new Set((c.references ?? []).map((x) => x.url).filter((u) => /^https?:\/\//.test(u))),
  ];
  const advisories = new Set<string>();
  for (const u of references)
    for (const m of u.matchAll(/\bms\d{2}-\d{3}\b/gi)) advisories.add(m[0].toUpperCase());
  const kevAdded = c.cisaExploitAdd === undefined ? null : parseDay(c.cisaExploitAdd);
  return {
    ok: true,
    value: {
      id: c.id,
      title: c.cisaVulnerabilityName ?? firstSentence(description),
      description,
      published: parseTime(c.published) ?? 0,
      cvss: bestCvss(c.metrics),
      kev:
        kevAdded === null
          ? null
          : {
              date_added: kevAdded,
              due_date: c.cisaActionDue === undefined ? null : parseDay(c.cisaActionDue),
              ransomware: false,
            },
      products: [...products],
      advisories: [...advisories],
      references,
      sources: [{ kind: 'nvd', ref: `https://nvd.nist.gov/vuln/detail/${c.id}` }],
    },
  };
}

/** Refuses (early) a file whose top-level fields say it is something else than NVD CVE 2.0 data. */
export function checkNvdField(name: string, key: string, value: unknown): void {
  if (key === 'format' && value !== 'NVD_CVE')
    throw makeError('SW_INTEL_INVALID', `${name}: not NVD CVE data: format is ${JSON.stringify(value)}`, {
      details: { file: name, field: 'format' },
    });
  if (key === 'version' && typeof value === 'string' && !value.startsWith('2.'))
    throw makeError('SW_INTEL_INVALID', `${name}: NVD CVE data of version ${value}; only 2.x is read`, {
      details: { file: name, field: 'version' },
    });
}
