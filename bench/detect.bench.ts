/**
 * Detection cost: one closed bucket with every TCP and UDP port (131,072 keys) active, through the real engine
 * after a day of learning on the same keys; and saving the engine's state for that many keys (what the server
 * writes after each bucket). DETECTION.md target: all keys of a closed bucket in well under a second.
 */
import { createDetectionEngine } from '../src/pipeline/detect/model/engine.js';
import type { BucketInput, KeyObservation } from '../src/core/observation.js';
import { seededRandom } from '../src/core/random.js';
import type { Figure } from './figures.js';

const HOUR = 3_600_000;
const OPERATORS = 40;

function bucket(t: number, rnd: ReturnType<typeof seededRandom>, spike: boolean): BucketInput {
  const keys: KeyObservation[] = [];
  for (const proto of ['tcp', 'udp'] as const) {
    for (let port = 0; port < 65_536; port++) {
      const base = 1 + (port % 7);
      const sources = spike && port % 97 === 0 ? base * 20 : base + rnd.int(3);
      const by = [];
      for (let o = 0; o < Math.min(OPERATORS, sources); o++) {
        by.push({
          operator: `po_${o}`,
          sources: Math.max(1, Math.round(sources / Math.min(OPERATORS, sources))),
          sensors: 1,
        });
      }
      keys.push({
        proto,
        port,
        sources,
        sensors: by.length,
        operators: by.length,
        events: sources * 3,
        events_capped: sources * 3,
        by_operator: by,
      });
    }
  }
  return {
    granularity: '1h',
    bucket: t,
    exposure: OPERATORS,
    fleet_sensors: OPERATORS,
    fleet_operators: OPERATORS,
    keys,
  };
}

export function benchDetect(): Figure[] {
  const rnd = seededRandom(3);
  const engine = createDetectionEngine();
  const start = Date.UTC(2026, 0, 5);
  const learnHours = 30;
  for (let h = 0; h < learnHours; h++) engine.closeBucket(bucket(start + h * HOUR, rnd, false));
  const samples: number[] = [];
  let fired = 0;
  for (let h = learnHours; h < learnHours + 5; h++) {
    const input = bucket(start + h * HOUR, rnd, h === learnHours + 2);
    const t0 = performance.now();
    const r = engine.closeBucket(input);
    samples.push(performance.now() - t0);
    fired += r.changed.length + r.anomalies.length;
  }
  const t0 = performance.now();
  const bytes = engine.saveState();
  const saveMs = performance.now() - t0;
  const t1 = performance.now();
  createDetectionEngine(undefined, bytes);
  const loadMs = performance.now() - t1;
  samples.sort((a, b) => a - b);
  return [
    {
      name: 'detect: one 1h bucket, 131,072 active keys (median of 5)',
      value: Math.round(samples[2] ?? 0),
      unit: 'ms',
    },
    {
      name: 'detect: slowest of the 5 (one with 1,352 spiking keys)',
      value: Math.round(samples[4] ?? 0),
      unit: 'ms',
    },
    { name: 'detect: firings in the spiking bucket (incidents + anomalies)', value: fired, unit: 'count' },
    { name: 'detect: engine state for 131,072 keys', value: Math.round(bytes.length / 1024), unit: 'KiB' },
    { name: 'detect: save state', value: Math.round(saveMs), unit: 'ms' },
    { name: 'detect: load state', value: Math.round(loadMs), unit: 'ms' },
  ];
}
