/**
 * Submission validation on one core: validateBatch (envelope with zod, events with the hand-written checks) over
 * batches of typical events {ts, proto, port, src, sport, dst, flags}, parsed from JSON beforehand (the timed
 * work is validation only). For comparison, the per-event zod schema it replaced, on the same events. Every
 * figure is the median of 5 timed runs after >= 300 ms of warm-up.
 */
import { validateBatch } from '../src/ingest/validate.js';
import { eventSchema } from '../src/protocol/batch.js';
import { median, type Figure } from './figures.js';

const RUNS = 5;
const BATCH = 5000;
const BATCHES = 40;
const NOW = Date.parse('2024-05-01T12:00:00Z');

let sink = 0;

function perSecond(ops: number, run: () => void): number {
  const warm = process.hrtime.bigint();
  for (let i = 0; i < 2 || process.hrtime.bigint() - warm < 300_000_000n; i++) run();
  const rates: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    run();
    rates.push(ops / (Number(process.hrtime.bigint() - t0) / 1e9));
  }
  return Math.round(median(rates));
}

function prng(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Parsed bodies of BATCHES batches of BATCH typical events (what JSON.parse of a submission gives). */
function bodies(): unknown[] {
  const next = prng(7);
  const PORTS = [22, 23, 445, 80, 3389, 1433, 8080, 1025];
  const out: unknown[] = [];
  for (let b = 0; b < BATCHES; b++) {
    const events = Array.from({ length: BATCH }, () => {
      const v = next();
      return {
        ts: NOW - (next() % 3_600_000),
        proto: 'tcp',
        port: PORTS[v & 7] ?? 22,
        src: `${(v >>> 24) | 1}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`,
        sport: 1024 + (next() % 60000),
        dst: `203.0.113.0`,
        flags: 'S',
      };
    });
    out.push(JSON.parse(JSON.stringify({ batch_id: `bench-batch-${b}`, sensor_time: NOW, events })));
  }
  return out;
}

export function benchValidate(): Figure[] {
  const parsed = bodies();
  const total = BATCH * BATCHES;
  const opts = {
    maxEvents: 20_000,
    now: NOW,
    maxFutureSkewMs: 600_000,
    maxPastAgeMs: 30 * 86_400_000,
    maxStatsEntries: 64,
  };
  const fast = perSecond(total, () => {
    for (const body of parsed) sink += validateBatch(body, opts).events.length;
  });
  const zod = perSecond(total, () => {
    for (const body of parsed) {
      for (const e of (body as { events: unknown[] }).events) if (eventSchema.safeParse(e).success) sink++;
    }
  });
  if (sink === 0.5) console.log(sink); // never true; keeps `sink` observable
  return [
    { name: 'ingest: validateBatch, typical events (one core)', value: fast, unit: 'events/s' },
    { name: 'ingest: per-event zod schema it replaced (one core)', value: zod, unit: 'events/s' },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const f of benchValidate()) console.log(`${f.name}: ${f.value.toLocaleString('en-US')} ${f.unit}`);
}
