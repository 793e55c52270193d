/**
 * Deterministic STIX identifiers: `<type>--<UUIDv5>` (RFC 9562 section 5.5) from Stormwatch's namespace and a
 * text that names the content, so that exporting the same thing twice gives the same id (STIX 2.1 section
 * 2.9 recommends UUIDv5 for objects whose identity follows from their content).
 *
 * Invariants: the namespace never changes (changing it would give every published object a new id); the
 * name text is hashed as UTF-8; ids match the `identifier` schema (version nibble 5, variant 10xx).
 */
import { createHash } from 'node:crypto';

/** Stormwatch's UUID namespace for STIX ids (random, fixed forever). */
export const STORMWATCH_NAMESPACE = '7a3a1c6f-279e-4f12-b67a-b0c5c108e319';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * UUID version 5 of `name` in `namespace`.
 * @example uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com') // '2ed6657d-e927-568b-95e1-2665a8aea6a2'
 */
export function uuidV5(namespace: string, name: string): string {
  if (!UUID_PATTERN.test(namespace)) throw new TypeError(`not a UUID: ${namespace}`);
  const hash = createHash('sha1')
    .update(Buffer.from(namespace.replace(/-/g, ''), 'hex'))
    .update(name, 'utf8')
    .digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The STIX id of an object of `type` named by `name` (e.g. the indicator's pattern).
 * @example stixId('indicator', "blocklist|[ipv4-addr:value = '203.0.113.0/24']")
 */
export function stixId(type: string, name: string): string {
  return `${type}--${uuidV5(STORMWATCH_NAMESPACE, `${type}|${name}`)}`;
}
