/** Statistics of the detector: special functions, count tails, the count CUSUM and the growth fit. */
export { lnGamma, lnBeta, log1pmx, logGammaPrefix, stirlingCorr } from './lngamma.js';
export { logGammaP, logGammaQ, logBetaI, logBetaIc, log1mexp } from './special.js';
export { logPoissonUpper, logNegBinUpper, upperTailP, negBinQuantile, sizeFromDispersion } from './tails.js';
export type { UpperTail } from './tails.js';
export {
  DEFAULT_SHIFT,
  cusumInit,
  cusumIncrement,
  cusumStep,
  cusumUpdate,
  cusumReset,
  cusumDrift,
  cusumArl0Siegmund,
  cusumThresholdSiegmund,
} from './cusum.js';
export type { CusumState, CusumModel, CusumStepResult } from './cusum.js';
export { cusumArl0Markov, cusumThreshold } from './cusum-arl.js';
export { fitGrowth, GROWTH_MIN_BUCKETS, GROWTH_MAX_BUCKETS, GROWTH_MIN_LATEST } from './growth.js';
export type { GrowthFit } from './growth.js';
