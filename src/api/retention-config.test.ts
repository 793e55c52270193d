/**
 * The `retention` section of the server configuration: complete when empty, and every problem named (the
 * applied-batch record shorter than the bus's memory of acked ids among them).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_RETENTION, retentionConfigSchema } from '../pipeline/retention/index.js';
import { resolveServerConfig } from './config.js';

describe('retention configuration', () => {
  it('is complete when empty', () => {
    expect(retentionConfigSchema.parse({})).toEqual({
      five_minute_days: 14,
      hourly_days: 400,
      daily_days: null,
      source_days: 90,
      sensor_days: 400,
      raw_batch_days: 7,
      applied_batch_days: 30,
      max_db_bytes: null,
      interval_ms: 600_000,
    });
    expect(resolveServerConfig({}).retention).toEqual(DEFAULT_RETENTION);
  });

  it('names every problem, the applied-batch memory below the bus memory among them', () => {
    let details: string[] = [];
    try {
      resolveServerConfig({
        retention: { applied_batch_days: 3, max_db_bytes: 1000, five_minute_days: 0, typo: 1 },
      });
    } catch (err) {
      expect(err).toMatchObject({ code: 'SW_CONFIG_INVALID' });
      details = (err as { details: string[] }).details;
    }
    expect(details).toHaveLength(4);
    expect(details).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^retention\.applied_batch_days: must be at least 7 \(the bus remembers/),
        expect.stringMatching(/^retention\.max_db_bytes: must be at least 16777216/),
        expect.stringMatching(/^retention\.five_minute_days: /),
        expect.stringMatching(/^retention: .*typo/),
      ]),
    );
    expect(
      resolveServerConfig({ retention: { daily_days: 3650, max_db_bytes: 1e9 } }).retention,
    ).toMatchObject({
      daily_days: 3650,
      max_db_bytes: 1e9,
      hourly_days: 400,
    });
  });
});
