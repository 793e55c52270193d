/** The ingest stage: the submission and key-rotation endpoints, enrolment and their limits (see each module's header). */
export { ingestConfigSchema, ingestConfigShape, INGEST_DEFAULTS } from './config.js';
export type { IngestConfig } from './config.js';
export { IngestMetrics } from './metrics.js';
export type { IngestMetricsSnapshot } from './metrics.js';
export { submissionsPlugin } from './submissions.js';
export type { SubmissionsPluginOptions } from './submissions.js';
export { createEnrollmentToken, enrollSensor, hashToken, newSensorId, SENSOR_ID_PATTERN } from './enroll.js';
export type { CreatedToken, TokenOptions } from './enroll.js';
export { checkEvent } from './check-event.js';
export { canonicalIpText, isCanonicalIp } from './ip-text.js';
export { MAX_PROBLEMS } from './problems.js';
export type { BatchProblem } from './problems.js';
