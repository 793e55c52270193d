/** The aggregate stage: see aggregator.ts. */
export { startAggregator } from './aggregator.js';
export type { Aggregator, AggregatorOptions, AggregatorStats } from './aggregator.js';
export { DEFAULT_MAX_BATCHES, DEFAULT_MAX_STEP_EVENTS } from './aggregator.js';
export { heapNeedMb } from './heap-need.js';
