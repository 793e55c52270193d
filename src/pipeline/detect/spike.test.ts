import { describe, expect, it } from 'vitest';
import type { PortBucketRow } from '../../store/store.js';
import { clippedMean, zeroFilledHistory } from './baseline.js';
import type { KeyHistory } from './baseline.js';
import { DEFAULT_DETECTOR_CONFIG } from './config.js';
import { evaluateSpike, formatP, levelOf, severityOf } from './spike.js';

const B = Date.parse('2007-04-12T10:05:00Z');
const gates = { ...DEFAULT_DETECTOR_CONFIG, min_history_buckets: 24 };

function row(sources: number, sensors: number, events = sources * 3): PortBucketRow {
  return {
    proto: 'tcp',
    port: 1025,
    granularity: '5m',
    bucket: B,
    events,
    sources,
    sensors,
    operators: 0,
    targets: 0,
    sources_handshake: 0,
    sources_no_handshake: 0,
  };
}

function history(sources: number[]): KeyHistory {
  return { sources, events: sources.map((s) => s * 2), sensors: sources.map((s) => Math.min(s, 3)) };
}

const zeros = (n: number): number[] => new Array<number>(n).fill(0);

describe('evaluateSpike', () => {
  it('fires on the 2007 step with evidence shaped as AlertEvidence', () => {
    const v = evaluateSpike(row(27, 14), history(zeros(288)), gates);
    expect(v.outcome).toBe('fire');
    expect(v.level).toBe('high');
    expect(Object.keys(v.evidence).sort()).toEqual(
      [
        'bucket',
        'granularity',
        'sources',
        'events',
        'sensors',
        'p_value',
        'fold',
        'baseline_buckets',
        'reason',
      ].sort(),
    );
    expect(v.evidence).toMatchObject({
      bucket: '2007-04-12T10:05:00.000Z',
      granularity: '5m',
      sources: { observed: 27, expected: 0.5 },
      events: { observed: 81, expected: 0 },
      sensors: { observed: 14, expected: 0 },
      fold: 54,
      baseline_buckets: 288,
    });
    expect(v.evidence.p_value).toBeGreaterThan(4e-37);
    expect(v.evidence.p_value).toBeLessThan(4.3e-37);
    expect(v.evidence.reason).toBe(
      'tcp/1025: 27 distinct sources from 14 sensors in the 5-min bucket at 2007-04-12T10:05Z, expected 0.5 (×54, p=4e-37)',
    );
  });

  it('applies the breadth, fold, significance and history gates', () => {
    expect(evaluateSpike(row(40, 2), history(zeros(288)), gates).outcome).toBe('few-sensors');
    expect(evaluateSpike(row(4, 4), history(zeros(288)), gates).outcome).toBe('few-sources');
    expect(evaluateSpike(row(29, 9), history(new Array<number>(288).fill(10)), gates).outcome).toBe(
      'low-fold',
    );
    expect(evaluateSpike(row(6, 3), history(zeros(288)), gates).outcome).toBe('not-significant');
    expect(evaluateSpike(row(27, 14), history(zeros(23)), gates).outcome).toBe('short-history');
    expect(evaluateSpike(row(45, 9), history(new Array<number>(288).fill(10)), gates).outcome).toBe('fire');
  });

  it('does not let a past spike inflate the baseline', () => {
    const h = zeros(288);
    h[100] = 400;
    expect(evaluateSpike(row(27, 14), history(h), gates).evidence.sources.expected).toBe(0.5);
    const steady: number[] = Array.from({ length: 288 }, (_, i) => (i % 2 === 0 ? 1 : 3));
    steady[7] = 500;
    expect(clippedMean(steady, 0.95)).toBeCloseTo(2, 1);
    expect(clippedMean([], 0.95)).toBe(0);
  });

  it('maps severity to levels and is 0 at the firing threshold', () => {
    expect([0, 24, 25, 49, 50, 74, 75, 100].map(levelOf)).toEqual([
      'info',
      'info',
      'low',
      'low',
      'medium',
      'medium',
      'high',
      'high',
    ]);
    expect(severityOf(-6, 3, 3, gates)).toBe(0);
    expect(severityOf(-Infinity, 1e9, 1e6, gates)).toBe(100);
    expect(severityOf(-12, 6, 6, gates)).toBeGreaterThan(severityOf(-8, 4, 4, gates));
  });

  it('formats p-values from their logarithm', () => {
    expect(formatP(Math.log10(3e-41))).toBe('3e-41');
    expect(formatP(-400.5)).toBe('3e-401');
    expect(formatP(Math.log10(0.04))).toBe('0.04');
    expect(formatP(Math.log10(2e-4))).toBe('2e-4');
    expect(formatP(Math.log10(0.5))).toBe('0.5');
    expect(formatP(-Infinity)).toBe('0');
  });
});

describe('zeroFilledHistory', () => {
  it('puts rows at their bucket index and zeros elsewhere', () => {
    const size = 300_000;
    const rows = [row(4, 1), { ...row(7, 2), bucket: B + 2 * size }];
    const h = zeroFilledHistory(rows, B - size, 4, size);
    expect(h.sources).toEqual([0, 4, 0, 7]);
    expect(h.sensors).toEqual([0, 1, 0, 2]);
  });
});
