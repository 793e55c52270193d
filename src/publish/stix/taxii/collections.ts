/**
 * The read-only TAXII 2.1 collections Stormwatch serves (section 5.2): `blocklist` (one indicator per listed
 * network or address, from src/publish/blocklists) and `advisories` (the STIX form of published advisories),
 * each with the Stormwatch identity their objects point to.
 *
 * Invariants:
 * - Collection ids are UUIDv5 of their alias (fixed forever, as TAXII clients store them).
 * - `date_added` of a version: for an indicator its last activity (a new version appears when the entry's
 *   evidence changes), for an advisory's objects its update (or publication) time, for the identity and CVE
 *   objects the fixed FIXED_CREATED. Objects shared by several advisories (a CVE) appear once.
 */
import { blocklistIndicators } from '../../blocklists/formats/stix.js';
import type { Blocklist } from '../../blocklists/types.js';
import { advisoryObjects } from '../advisory.js';
import type { StixAdvisoryInput } from '../advisory.js';
import { STORMWATCH_NAMESPACE, uuidV5 } from '../ids.js';
import { FIXED_CREATED, makeIdentity } from '../objects.js';
import type { StixCreator } from '../types.js';
import { STIX_MEDIA_TYPE } from './media.js';
import type { CollectionItem } from './paging.js';

export interface TaxiiCollection {
  id: string;
  alias: string;
  title: string;
  description: string;
  can_read: true;
  can_write: false;
  media_types: string[];
}

export interface CollectionSources {
  /** The list the `blocklist` collection serves (e.g. networks over the last 7 days). */
  blocklist: () => Blocklist;
  /** Published advisories. */
  advisories: () => StixAdvisoryInput[];
  creator?: StixCreator;
}

const collection = (alias: string, title: string, description: string): TaxiiCollection => ({
  id: uuidV5(STORMWATCH_NAMESPACE, `taxii-collection|${alias}`),
  alias,
  title,
  description,
  can_read: true,
  can_write: false,
  media_types: [STIX_MEDIA_TYPE],
});

export const COLLECTIONS: readonly TaxiiCollection[] = [
  collection(
    'blocklist',
    'Stormwatch blocklist',
    'Indicators of attacking networks seen by several operators of the sensor network, with the evidence and an expiry.',
  ),
  collection(
    'advisories',
    'Stormwatch advisories',
    'Published advisories as reports, with the vulnerabilities they name and the attacked port as an indicator.',
  ),
];

/**
 * The objects of a collection with their date_added (unsorted). An advisory the STIX builder refuses is left
 * out and reported to `onSkip`, so that one bad advisory never takes the collection down.
 */
export function collectionItems(
  alias: string,
  src: CollectionSources,
  onSkip: (advisoryId: string, err: unknown) => void = () => undefined,
): CollectionItem[] {
  const identity = makeIdentity(src.creator);
  const items: CollectionItem[] = [{ object: identity, date_added: Date.parse(FIXED_CREATED) }];
  if (alias === 'blocklist') {
    for (const o of blocklistIndicators(src.blocklist(), identity))
      items.push({ object: o, date_added: Date.parse(o.modified) });
    return items;
  }
  const seen = new Set<string>([identity.id]);
  for (const a of src.advisories()) {
    let objects;
    try {
      objects = advisoryObjects(a, identity);
    } catch (err) {
      onSkip(a.id, err);
      continue;
    }
    for (const o of objects) {
      if (seen.has(o.id)) continue;
      seen.add(o.id);
      items.push({ object: o, date_added: Math.max(Date.parse(o.modified), a.updated ?? a.published) });
    }
  }
  return items;
}
