import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ENGINE_CONFIG, DEFAULT_RUNNER_CONFIG } from '../pipeline/detect/index.js';
import { heapNeedMb } from '../pipeline/aggregate/index.js';
import { detectorConfigSchema, loadServerConfigFile, resolveServerConfig } from './config.js';

const problemsOf = (input: unknown): string[] => {
  try {
    resolveServerConfig(input);
  } catch (err) {
    expect((err as { code: string }).code).toBe('SW_CONFIG_INVALID');
    return (err as { details: string[] }).details;
  }
  return [];
};

describe('server configuration', () => {
  it('fills every default from {} and freezes the result', () => {
    const c = resolveServerConfig({});
    expect(c).toMatchObject({
      max_body_bytes: 1_048_576,
      max_decompressed_bytes: 16_777_216,
      max_events_per_batch: 20_000,
      signature_window_ms: 300_000,
      max_future_skew_ms: 600_000,
      nonce_cache_max_entries: 100_000,
      rate_limit_burst: 300,
      rate_limit_refill_per_sec: 10,
      max_json_body_bytes: 65_536,
      max_series_points: 40_000,
      enrollment_token_ttl_ms: 86_400_000,
    });
    expect(c.aggregate_interval_ms).toBeUndefined();
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('reports every problem together, each named by its path', () => {
    const problems = problemsOf({
      max_body_bytes: -1,
      signature_window_ms: 'soon',
      max_bodybytes: 5,
      detector: 3,
    });
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/^max_body_bytes: /m);
    expect(problems.join('\n')).toMatch(/^signature_window_ms: /m);
    expect(problems.join('\n')).toMatch(/^detector: /m);
    expect(problems.join('\n')).toContain('max_bodybytes');
  });

  it('bounds the aggregator memory settings, each named', () => {
    expect(
      resolveServerConfig({
        aggregate_max_port_rows: 60_000,
        aggregate_max_source_days: 200_000,
        aggregate_worker_heap_mb: 768,
      }),
    ).toMatchObject({
      aggregate_max_port_rows: 60_000,
      aggregate_max_source_days: 200_000,
      aggregate_worker_heap_mb: 768,
    });
    expect(
      problemsOf({
        aggregate_max_port_rows: 10,
        aggregate_max_source_days: 1.5,
        aggregate_worker_heap_mb: 64,
        aggregate_max_step_events: 10,
        store_cache_mb: 0,
      }),
    ).toEqual([
      expect.stringMatching(/^aggregate_max_step_events: /),
      expect.stringMatching(/^aggregate_max_port_rows: /),
      expect.stringMatching(/^aggregate_max_source_days: /),
      expect.stringMatching(/^store_cache_mb: /),
      expect.stringMatching(/^aggregate_worker_heap_mb: /),
    ]);
    expect(resolveServerConfig({}).store_cache_mb).toBe(32);
    // A step bound counts in the need (up to the batch bound: 50 or 3 batches of 20,000 events).
    expect(problemsOf({ aggregate_max_step_events: 2_000_000 })).toEqual([
      expect.stringMatching(/^aggregate_worker_heap_mb: 512 MiB is less than .*aggregate_max_step_events/),
    ]);
    expect(problemsOf({ aggregate_max_step_events: 2_000_000, aggregate_max_batches: 3 })).toEqual([]);
    // The defaults fit their own limit; caps that need more than the limit are refused at start, with the need.
    const d = resolveServerConfig({});
    expect(d.aggregate_worker_heap_mb).toBe(512);
    expect(
      heapNeedMb({
        maxPortRows: d.aggregate_max_port_rows,
        maxSourceDays: d.aggregate_max_source_days,
        maxBatches: 50,
        maxStepEvents: 50_000,
        maxEventsPerBatch: d.max_events_per_batch,
      }),
    ).toBeLessThanOrEqual(512);
    const [tooSmall] = problemsOf({ aggregate_max_port_rows: 1_000_000 });
    expect(tooSmall).toMatch(
      /^aggregate_worker_heap_mb: 512 MiB is less than the \d+ MiB that aggregate_max_port_rows/,
    );
    expect(problemsOf({ aggregate_max_port_rows: 1_000_000, aggregate_worker_heap_mb: 4096 })).toEqual([]);
    expect(problemsOf({ max_events_per_batch: 100_000, aggregate_max_batches: 50 })).toEqual([
      expect.stringMatching(/^aggregate_worker_heap_mb: /),
    ]);
  });

  it('validates detector settings and passes them through', () => {
    expect(
      resolveServerConfig({ detector: { min_sources: 3, granularities: { '5m': { windows: [1, 6] } } } })
        .detector,
    ).toEqual({
      min_sources: 3,
      granularities: { '5m': { windows: [1, 6] } },
    });
    expect(problemsOf({ detector: { max_operator_share: 2, min_sorces: 1 } })).toEqual([
      expect.stringMatching(/^detector\.max_operator_share: /),
      expect.stringMatching(/^detector: .*min_sorces/),
    ]);
  });

  it('knows every detector setting (fails when the detector grows one)', () => {
    expect(Object.keys(detectorConfigSchema.shape).sort()).toEqual(
      Object.keys({ ...DEFAULT_RUNNER_CONFIG, ...DEFAULT_ENGINE_CONFIG }).sort(),
    );
  });

  it('reads a YAML file, naming the file in errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-cfg-'));
    try {
      const good = join(dir, 'good.yaml');
      writeFileSync(good, 'max_body_bytes: 2097152\nrate_limit_burst: 10\n');
      expect(loadServerConfigFile(good)).toMatchObject({
        max_body_bytes: 2_097_152,
        rate_limit_burst: 10,
        max_events_per_batch: 20_000,
      });
      const empty = join(dir, 'empty.yaml');
      writeFileSync(empty, '');
      expect(loadServerConfigFile(empty).max_body_bytes).toBe(1_048_576);
      const bad = join(dir, 'bad.yaml');
      writeFileSync(bad, 'max_events_per_batch: many\n');
      expect(() => loadServerConfigFile(bad)).toThrow(/bad\.yaml: max_events_per_batch/);
      const broken = join(dir, 'broken.yaml');
      writeFileSync(broken, 'a: [\n');
      expect(() => loadServerConfigFile(broken)).toThrow(
        expect.objectContaining({ code: 'SW_CONFIG_INVALID' }),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
