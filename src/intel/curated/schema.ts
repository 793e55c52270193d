/**
 * The format of our reviewed data files (src/intel/data/*.yaml) and of the files `stormwatch intel add-vuln` /
 * `add-exploit` take: a YAML or JSON object with any of `families`, `vulnerabilities`, `exploits`.
 *
 * Every entry names its sources (URLs of vendor documents, RFCs, advisories): knowledge an analyst cannot check
 * does not ship. Products are 'vendor:product' in CPE style, lower case; a trailing `*` (only in a family's
 * `platforms`) stands for every product with that prefix.
 */
import { z } from 'zod';
import { CVE_ID, parseTime } from '../text.js';

const port = z.number().int().min(0).max(65535);
const url = z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' });
const product = z.string().regex(/^[a-z0-9._-]+:[a-z0-9._-]+$/, "must be 'vendor:product' in lower case");
const productPattern = z
  .string()
  .regex(/^[a-z0-9._-]+:[a-z0-9._-]*\*?$/, "must be 'vendor:product' or 'vendor:prefix*' in lower case");
const time = z.string().refine((s) => parseTime(s) !== null, 'must be a date (YYYY-MM-DD) or ISO date-time');
const blockRule = z
  .string()
  .regex(/^(tcp|udp)\/\d{1,5}(-\d{1,5})?$/, "must be 'tcp/135' or 'tcp/1025-5000'")
  .refine((s) => {
    const [lo, hi] = s.slice(4).split('-').map(Number) as [number, number?];
    return lo <= 65535 && (hi === undefined || (hi <= 65535 && lo <= hi));
  }, 'ports must be 0-65535, the range low to high');

export const portEntrySchema = z
  .strictObject({
    proto: z.enum(['tcp', 'udp']),
    port: port.optional(),
    range: z.tuple([port, port]).optional(),
    /** The candidate's name when this entry matches, e.g. 'msrpc-dynamic'. */
    service: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'must be a short lower-case name'),
    /** IANA's service name of the port when it is the same service (merges the registry's candidate). */
    iana: z.string().min(1).optional(),
    /** Why this port belongs to the family; shown as the reason. */
    note: z.string().min(1),
  })
  .refine((e) => (e.port === undefined) !== (e.range === undefined), 'give exactly one of port and range')
  .refine((e) => e.range === undefined || e.range[0] <= e.range[1], 'range must be [low, high]');

export const familySchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be a lower-case id with dashes'),
  name: z.string().min(1),
  description: z.string().min(1),
  ports: z.array(portEntrySchema).min(1),
  /** A vulnerability of one of these products is linked to the family by the product alone. */
  products: z.array(product).default([]),
  /** Broad products (an operating system): linked only when the text also names one of the keywords. */
  platforms: z.array(productPattern).default([]),
  keywords: z.array(z.string().min(2)).default([]),
  /** What a defender would block for this technology (ServiceCandidate.block). */
  block: z.array(blockRule).min(1),
  sources: z.array(url).min(1),
});

const cvssSchema = z.strictObject({
  score: z.number().min(0).max(10),
  version: z.enum(['2.0', '3.0', '3.1', '4.0']),
  vector: z.string().min(1).nullable(),
});

export const vulnerabilitySchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'must be a CVE id or a vendor id'),
  title: z.string().min(1),
  description: z.string().min(1),
  published: time,
  cvss: cvssSchema.nullable().default(null),
  kev: z
    .strictObject({ date_added: time, due_date: time.nullable().default(null), ransomware: z.boolean() })
    .nullable()
    .default(null),
  products: z.array(product).min(1),
  advisories: z.array(z.string().min(1)).default([]),
  references: z.array(url).default([]),
  sources: z.array(url).min(1),
  /** Reviewer's note (not shown to users), e.g. dates of fixes and in-the-wild use. */
  notes: z.string().optional(),
});

export const exploitSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, "must be an id like 'EDB-3737'"),
  title: z.string().min(1),
  published: time,
  platform: z.string().min(1),
  type: z.string().min(1),
  port: port.nullable().default(null),
  cves: z.array(z.string().regex(CVE_ID, 'must be a CVE id')).default([]),
  url: url.nullable().default(null),
  sources: z.array(url).min(1),
});

export const dataFileSchema = z.strictObject({
  families: z.array(z.unknown()).optional(),
  vulnerabilities: z.array(z.unknown()).optional(),
  exploits: z.array(z.unknown()).optional(),
});

export type FamilyEntry = z.infer<typeof familySchema>;
export type PortEntry = z.infer<typeof portEntrySchema>;
export type VulnerabilityEntry = z.infer<typeof vulnerabilitySchema>;
export type ExploitEntry = z.infer<typeof exploitSchema>;
