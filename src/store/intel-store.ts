/**
 * The knowledge-base store: vulnerabilities and exploits (src/protocol/intel-types.ts), kept for the correlation
 * of a port with what is known about it (src/intel). Domain methods, not an ORM; the embedded implementation is
 * src/store/sqlite/intel.ts.
 *
 * Rules every implementation keeps:
 * - Records are keyed by id (a CVE id, `EDB-<n>`...). `upsert*` REPLACES a whole record and its index rows
 *   (products of a vulnerability, CVE ids of an exploit); merging an incoming record with the stored one is the
 *   caller's job (src/intel/merge.ts), so the store never guesses which source wins.
 * - Products are 'vendor:product' in lower case. A query product ending in `*` matches every product that
 *   starts with the text before it (`microsoft:windows*` finds `microsoft:windows_2000`); matching goes through
 *   the product index, never through a scan of every record.
 * - `vulnerabilitiesFor` returns each matching record once, most recently published first, at most `limit`.
 *   With keywords, a record must also contain one of them in its title or description (case-insensitive
 *   substring; callers refine it to whole words). A record matches when ANY given product matches.
 * - `transaction(fn)` runs fn in one transaction (an import of one file): everything fn wrote is kept when it
 *   returns and nothing when it throws. fn is synchronous; nested calls join the outer transaction.
 * - Reads never see half of a transaction.
 */
import type { Exploit, Vulnerability } from '../protocol/intel-types.js';

export interface VulnerabilityQuery {
  /** 'vendor:product', or 'vendor:prefix*' for every product starting with the prefix. */
  products: readonly string[];
  /** Any of these in the title or description (case-insensitive); none given or empty: no text condition. */
  keywords?: readonly string[];
  /** Published at or after this time (ms). */
  since?: number;
  /** Published at or before this time (ms). */
  until?: number;
  /** Default 500. */
  limit?: number;
}

export interface IntelCounts {
  vulnerabilities: number;
  /** Vulnerabilities in CISA's KEV catalogue. */
  kev: number;
  exploits: number;
  /** Distinct products named by vulnerabilities. */
  products: number;
  /** (exploit, CVE) links. */
  exploit_links: number;
}

/** What an upsert did: records that were new, records that replaced a stored one. */
export interface UpsertResult {
  inserted: number;
  updated: number;
}

export interface IntelStore {
  upsertVulnerabilities(list: readonly Vulnerability[]): UpsertResult;
  upsertExploits(list: readonly Exploit[]): UpsertResult;
  /** @example store.vulnerabilitiesFor({ products: ['microsoft:windows*'], keywords: ['RPC'], until: at }) */
  vulnerabilitiesFor(query: VulnerabilityQuery): Vulnerability[];
  /** Exploits linked to any of these CVE ids, each once, oldest first. */
  exploitsFor(cveIds: readonly string[]): Exploit[];
  getVulnerability(id: string): Vulnerability | null;
  getExploit(id: string): Exploit | null;
  counts(): IntelCounts;
  transaction<T>(fn: () => T): T;
}
