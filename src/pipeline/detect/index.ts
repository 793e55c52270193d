/** The detect stage (v0): see detector.ts, spike.ts and lifecycle.ts. */
export { startDetector, positionKey } from './detector.js';
export type { Detector, DetectorOptions, DetectorStats } from './detector.js';
export { DEFAULT_DETECTOR_CONFIG, resolveDetectorConfig } from './config.js';
export type { DetectorConfig, DetectGranularity, HistoryConfig } from './config.js';
export { evaluateSpike, severityOf, levelOf, formatP } from './spike.js';
export type { SpikeVerdict, SpikeOutcome } from './spike.js';
export { poissonUpperTail, poissonUpperTailLog10, poissonUpperTailLn, logGamma } from './poisson.js';
export { clippedMean, zeroFilledHistory } from './baseline.js';
export type { KeyHistory } from './baseline.js';
