/**
 * STIX 2.1 bundle: the Stormwatch identity and one indicator per entry (pattern
 * `[ipv4-addr:value = '203.0.113.0/24']`, valid_from = first seen, valid_until = the entry's expiry,
 * indicator_types and labels `malicious-activity`, the reason as description). The same entry gives the same
 * indicator id in every export (src/publish/stix/ids.ts); `modified` moves with its last activity.
 */
import { makeBundle, makeIdentity, makeIndicator } from '../../stix/objects.js';
import type { StixBundle, StixCreator, StixIdentity, StixIndicator } from '../../stix/types.js';
import type { Blocklist } from '../types.js';

/** The indicators of a list, created by `creator`. */
export function blocklistIndicators(list: Blocklist, creator: StixIdentity): StixIndicator[] {
  return list.entries.map((e) =>
    makeIndicator({
      value: e.value,
      family: e.family,
      list: list.kind,
      name: `Stormwatch blocklist (${list.kind}): ${e.value}`,
      description: `Listed: ${e.reason}. Delisting: ${list.delisting}`,
      first_seen: e.first_seen,
      last_seen: e.last_seen,
      valid_until: e.expires,
      creator,
      extra: { x_stormwatch_events: e.events, x_stormwatch_ports: e.ports.map((p) => p.key) },
    }),
  );
}

export function renderStix(list: Blocklist, creator?: StixCreator): StixBundle {
  const identity = makeIdentity(creator);
  return makeBundle([identity, ...blocklistIndicators(list, identity)]);
}
