/** The retention stage: see scheduler.ts (the runs) and config.ts (the `retention` configuration section). */
export { startRetention, CATCH_UP_MS } from './scheduler.js';
export type { Retention, RetentionOptions, RetentionStats, RunReport } from './scheduler.js';
export {
  retentionConfigSchema,
  DEFAULT_RETENTION,
  BUS_ACKED_DAYS,
  MIN_DB_BYTES,
  policyOf,
} from './config.js';
export type { RetentionConfig } from './config.js';
export { retentionFamilies } from './metrics.js';
