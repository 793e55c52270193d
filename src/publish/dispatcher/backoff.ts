/**
 * Retry delays: exponential with "equal jitter" (half fixed, half random), so that delays still grow with
 * each attempt while a fleet of failed deliveries does not retry in lockstep. The random source is injected.
 */
export interface BackoffPolicy {
  base_ms: number;
  max_ms: number;
}

/**
 * Delay before attempt `failedAttempts + 1`, after `failedAttempts` (>= 1) failures: d = min(max, base *
 * 2^(failedAttempts-1)), result in [d/2, d). A receiver's Retry-After (`floorMs`) is a floor, capped at max.
 * @example backoffDelay({ base_ms: 1000, max_ms: 60000 }, 3, () => 0.5) // 3000
 */
export function backoffDelay(
  policy: BackoffPolicy,
  failedAttempts: number,
  random: () => number,
  floorMs = 0,
): number {
  const exp = Math.min(Math.max(failedAttempts - 1, 0), 52);
  const d = Math.min(policy.max_ms, policy.base_ms * 2 ** exp);
  const r = Math.min(Math.max(random(), 0), 1 - Number.EPSILON);
  const jittered = Math.floor(d / 2 + (d / 2) * r);
  return Math.max(jittered, Math.min(floorMs, policy.max_ms));
}
