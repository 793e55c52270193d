/**
 * Retry delays: exponential backoff with jitter, and the server's Retry-After (RFC 9110 10.2.3) as a floor.
 * Jitter takes each delay uniformly from [d/2, d] ("equal jitter"), so that a fleet that lost its server at the same
 * moment does not come back in lock step, while a single sensor still backs off steadily.
 */
export interface BackoffConfig {
  baseMs: number;
  maxMs: number;
}

/** Longest Retry-After we obey; a larger value is treated as this (a misconfigured proxy must not park us a day). */
export const MAX_RETRY_AFTER_MS = 3_600_000;

/** Delay before retry number `attempt` (1 = first retry). @example backoffDelay(3, { baseMs: 1000, maxMs: 60000 }, Math.random) */
export function backoffDelay(
  attempt: number,
  cfg: BackoffConfig,
  random: () => number,
  retryAfterMs?: number,
): number {
  const exp = Math.min(cfg.maxMs, cfg.baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  const jittered = Math.round(exp / 2 + (random() * exp) / 2);
  return retryAfterMs === undefined
    ? jittered
    : Math.max(jittered, Math.min(retryAfterMs, MAX_RETRY_AFTER_MS));
}

/** Parses Retry-After: delta-seconds or an HTTP-date (relative to `now`). Undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}
