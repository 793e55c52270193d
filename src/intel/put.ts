/**
 * Writes records into the knowledge base merged with what it holds (merge.ts): the one way importers, shipped
 * data and manual entries write, so that the trust rules apply to every source alike.
 */
import type { Exploit, Vulnerability } from '../protocol/intel-types.js';
import type { IntelStore, UpsertResult } from '../store/intel-store.js';
import { mergeExploit, mergeVulnerability } from './merge.js';

/** @returns whether the record was new. */
export function putVulnerability(store: IntelStore, v: Vulnerability): boolean {
  const old = store.getVulnerability(v.id);
  store.upsertVulnerabilities([old === null ? v : mergeVulnerability(old, v)]);
  return old === null;
}

/** @returns whether the record was new. */
export function putExploit(store: IntelStore, x: Exploit): boolean {
  const old = store.getExploit(x.id);
  store.upsertExploits([old === null ? x : mergeExploit(old, x)]);
  return old === null;
}

/** Both lists in one transaction. */
export function putAll(
  store: IntelStore,
  vulns: readonly Vulnerability[],
  exploits: readonly Exploit[],
): { vulnerabilities: UpsertResult; exploits: UpsertResult } {
  return store.transaction(() => {
    const r = { vulnerabilities: { inserted: 0, updated: 0 }, exploits: { inserted: 0, updated: 0 } };
    for (const v of vulns) r.vulnerabilities[putVulnerability(store, v) ? 'inserted' : 'updated']++;
    for (const x of exploits) r.exploits[putExploit(store, x) ? 'inserted' : 'updated']++;
    return r;
  });
}
