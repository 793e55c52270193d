/**
 * Builders of the STIX 2.1 objects Stormwatch emits: identity (the creator), indicator (an address or
 * network), vulnerability (a CVE), relationship, and the bundle that carries them.
 *
 * Invariants:
 * - Ids are deterministic (ids.ts): the same content gives the same id, so a re-export updates instead of
 *   duplicating; a changed version of an object keeps its id and gets a later `modified`.
 * - Timestamps have millisecond precision (core.json requires it for created and modified).
 * - Pattern string literals are quoted as STIX patterning says (section 9.4: `\` and `'` escaped), although
 *   the values we put there (CIDR text, protocol names) never contain either.
 */
import { stixId } from './ids.js';
import type {
  StixBundle,
  StixCreator,
  StixIdentity,
  StixIndicator,
  StixObject,
  StixRelationship,
  StixVulnerability,
} from './types.js';

/** The created and modified time of objects whose content never changes (the identity, CVEs): fixed. */
export const FIXED_CREATED = '2024-01-01T00:00:00.000Z';

export const DEFAULT_CREATOR: StixCreator = {
  name: 'Stormwatch',
  description:
    'An open attack-sensor network and early-warning system: aggregated observations of its sensors.',
};

/** A STIX timestamp (ms precision, UTC). */
export function stixTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** A STIX patterning string literal. */
export function patternString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The creator identity; its id follows from the name. */
export function makeIdentity(creator: StixCreator = DEFAULT_CREATOR): StixIdentity {
  const identity: StixIdentity = {
    type: 'identity',
    spec_version: '2.1',
    id: stixId('identity', creator.name),
    created: FIXED_CREATED,
    modified: FIXED_CREATED,
    name: creator.name,
    identity_class: 'system',
  };
  if (creator.description) identity.description = creator.description;
  if (creator.contact_information) identity.contact_information = creator.contact_information;
  return identity;
}

export interface IndicatorInput {
  /** An address or CIDR in canonical text, e.g. `203.0.113.0/24`, `2001:db8::/48`, `192.0.2.7`. */
  value: string;
  family: 4 | 6;
  /** Names the list the indicator belongs to, part of its id (e.g. `networks`). */
  list: string;
  name: string;
  description: string;
  /** First and last activity (ms): created and modified. */
  first_seen: number;
  last_seen: number;
  valid_until: number;
  creator: StixIdentity;
  extra?: Record<`x_stormwatch_${string}`, unknown>;
}

/** An indicator whose pattern matches the address or network: `[ipv4-addr:value = '203.0.113.0/24']`. */
export function makeIndicator(i: IndicatorInput): StixIndicator {
  const pattern = `[${i.family === 4 ? 'ipv4-addr' : 'ipv6-addr'}:value = ${patternString(i.value)}]`;
  const created = stixTime(i.first_seen);
  return {
    type: 'indicator',
    spec_version: '2.1',
    id: stixId('indicator', `${i.list}|${pattern}`),
    created_by_ref: i.creator.id,
    created,
    modified: stixTime(Math.max(i.last_seen, i.first_seen)),
    name: i.name,
    description: i.description,
    indicator_types: ['malicious-activity'],
    labels: ['malicious-activity'],
    pattern,
    pattern_type: 'stix',
    pattern_version: '2.1',
    valid_from: created,
    valid_until: stixTime(Math.max(i.valid_until, i.first_seen + 1)),
    ...i.extra,
  };
}

/** CVE ids as the external-reference schema accepts them (CVE-YYYY-NNNN, more digits without leading 0). */
export const CVE_PATTERN = /^CVE-\d{4}-(0\d{3}|[1-9]\d{3,})$/;

/**
 * A vulnerability named by its CVE id, with the `cve` external reference. Its content follows from the CVE id
 * alone, so its times are fixed (FIXED_CREATED): every advisory that names the CVE gives the same object.
 */
export function makeVulnerability(cve: string, creator: StixIdentity): StixVulnerability {
  if (!CVE_PATTERN.test(cve)) throw new TypeError(`not a CVE id: ${cve}`);
  return {
    type: 'vulnerability',
    spec_version: '2.1',
    id: stixId('vulnerability', cve),
    created_by_ref: creator.id,
    created: FIXED_CREATED,
    modified: FIXED_CREATED,
    name: cve,
    external_references: [
      { source_name: 'cve', external_id: cve, url: `https://www.cve.org/CVERecord?id=${cve}` },
    ],
  };
}

/** `source` --relationship_type--> `target`. */
export function makeRelationship(
  source: string,
  relationshipType: string,
  target: string,
  creator: StixIdentity,
  at: number,
  description?: string,
): StixRelationship {
  const r: StixRelationship = {
    type: 'relationship',
    spec_version: '2.1',
    id: stixId('relationship', `${source}|${relationshipType}|${target}`),
    created_by_ref: creator.id,
    created: stixTime(at),
    modified: stixTime(at),
    relationship_type: relationshipType,
    source_ref: source,
    target_ref: target,
  };
  if (description) r.description = description;
  return r;
}

/** A bundle of `objects`; its id follows from the objects' ids and versions. */
export function makeBundle(objects: StixObject[]): StixBundle {
  const names = objects.map((o) => `${o.id}@${o.modified}`).sort();
  return { type: 'bundle', id: stixId('bundle', names.join('\n')), objects };
}
