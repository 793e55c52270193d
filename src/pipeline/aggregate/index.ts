/** The aggregate stage: see aggregator.ts. */
export { startAggregator } from './aggregator.js';
export type { Aggregator, AggregatorOptions, AggregatorStats } from './aggregator.js';
