/** Time buckets: 5 minutes, 1 hour, 1 day, aligned to the Unix epoch (UTC). */
export const GRANULARITIES = { '5m': 300_000, '1h': 3_600_000, '1d': 86_400_000 } as const;
export type Granularity = keyof typeof GRANULARITIES;

export function bucketStart(ts: number, g: Granularity): number {
  const size = GRANULARITIES[g];
  return Math.floor(ts / size) * size;
}

export function isGranularity(v: unknown): v is Granularity {
  return typeof v === 'string' && v in GRANULARITIES;
}
