/**
 * Manual entries (`stormwatch intel add-vuln FILE`, `add-exploit FILE`): a small YAML or JSON file in the format
 * of the shipped data (curated/schema.ts) whose entries are written as 'manual' knowledge, merged like any
 * source (merge.ts), in one transaction. A file of the other kind is refused, so that nothing is written by the
 * wrong command unnoticed.
 */
import { makeError } from '../core/errors.js';
import type { IntelStore, UpsertResult } from '../store/intel-store.js';
import { loadEntryFile } from './curated/load.js';
import { putAll } from './put.js';

export type ManualKind = 'vulnerabilities' | 'exploits';

/** @example addManualEntries(store, 'cve-2025-0001.yaml', 'vulnerabilities') // { inserted: 1, updated: 0 } */
export function addManualEntries(store: IntelStore, path: string, kind: ManualKind): UpsertResult {
  const entries = loadEntryFile(path, 'manual');
  const other: ManualKind = kind === 'vulnerabilities' ? 'exploits' : 'vulnerabilities';
  if (entries[kind].length === 0)
    throw makeError('SW_INTEL_INVALID', `${path}: no ${kind} in the file`, { details: { file: path } });
  if (entries[other].length > 0)
    throw makeError(
      'SW_INTEL_INVALID',
      `${path}: the file also holds ${other}; add them with add-${other === 'exploits' ? 'exploit' : 'vuln'}`,
      { details: { file: path } },
    );
  const r = putAll(store, entries.vulnerabilities, entries.exploits);
  return kind === 'vulnerabilities' ? r.vulnerabilities : r.exploits;
}
