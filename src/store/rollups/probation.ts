/**
 * Sensor probation: a sensor carries no weight in detection for its first SENSOR_PROBATION_MS after enrolment
 * (docs DETECTION.md, poisoning gates), so that freshly enrolled fake sensors cannot move baselines or alerts.
 *
 * Invariants:
 * - Judged per bucket by the bucket's START (event time) against the sensor's `created_at` (event time as well,
 *   src/api/routes/sensors.ts): a sensor is on probation in every bucket that starts before created_at + 14 days.
 *   The rollup rows (operator shares) and the store's exposure use this same rule.
 * - A sensor without a record (imports, tests) has no enrolment time and is NOT on probation: ingest only takes
 *   batches from enrolled sensors, so only trusted paths produce such batches.
 */
export const SENSOR_PROBATION_MS = 14 * 86_400_000;

/** Whether a sensor enrolled at `createdAt` (undefined: no record) is on probation in the bucket starting at `bucket`. */
export function onProbation(
  createdAt: number | undefined,
  bucket: number,
  probationMs: number = SENSOR_PROBATION_MS,
): boolean {
  return createdAt !== undefined && bucket < createdAt + probationMs;
}
