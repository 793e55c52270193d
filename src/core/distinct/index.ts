/**
 * Distinct counting for the pipeline: a keyed 53-bit string hash and a counter that is exact up to a
 * threshold and a HyperLogLog sketch beyond. See keyed-hash.ts and distinct-counter.ts for the invariants.
 */
export { createKeyedHasher, KEYED_HASH_SEED_BYTES } from './keyed-hash.js';
export type { KeyedHasher } from './keyed-hash.js';
export {
  DistinctCounter,
  DistinctPrecisionMismatchError,
  DEFAULT_PRECISION,
  DEFAULT_THRESHOLD,
  MAX_THRESHOLD,
} from './distinct-counter.js';
export { MIN_PRECISION, MAX_PRECISION } from './hll.js';
