/**
 * End-to-end ingest: signed gzip batches over real HTTP on loopback into a real server (SQLite), timed until
 * the aggregator has applied everything. The load generator runs in the same process, on the same 2 cores.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { startServer } from '../src/api/server.js';
import { generateSensorKeyPair, loadPrivateKey } from '../src/protocol/signing.js';
import { createEnrollmentTokenViaApi, enrollViaApi, submitBatch } from '../src/protocol/client.js';
import { buildFleet, generateEvents } from '../src/sim/generator.js';
import { demoProfiles } from '../src/sim/demo-scenario.js';
import type { Figure } from './figures.js';

export async function benchIngest(
  opts: { sensors?: number; batches?: number; eventsPerBatch?: number } = {},
): Promise<Figure[]> {
  const sensors = opts.sensors ?? 8;
  const batchesPerSensor = opts.batches ?? 10;
  const perBatch = opts.eventsPerBatch ?? 5000;
  const dir = mkdtempSync(join(tmpdir(), 'sw-bench-'));
  const logger = pino({ level: 'warn' });
  const t0virtual = Date.now() - 30 * 86_400_000;
  const server = await startServer({ port: 0, dataDir: dir, logger, eventClock: { now: () => Date.now() } });
  try {
    const fleet = buildFleet(1, sensors, demoProfiles(1, 0));
    const ids: Array<{ id: string; key: ReturnType<typeof loadPrivateKey> }> = [];
    for (let i = 0; i < sensors; i++) {
      const { token } = await createEnrollmentTokenViaApi(server.url, server.adminToken, `bench-${i}`);
      const keys = generateSensorKeyPair();
      const { sensor_id } = await enrollViaApi(server.url, token, keys.publicKeyPem, `bench-${i}`);
      ids.push({ id: sensor_id, key: loadPrivateKey(keys.privateKeyPem) });
    }
    // Pre-generate the batches so that generation is not timed.
    const batches: Array<{ s: number; events: ReturnType<typeof generateEvents> }> = [];
    for (let s = 0; s < sensors; s++) {
      let from = t0virtual;
      for (let b = 0; b < batchesPerSensor; b++) {
        let events = generateEvents(fleet, 1, s, from, from + 600_000);
        while (events.length < perBatch) {
          from += 600_000;
          events = events.concat(generateEvents(fleet, 1, s, from, from + 600_000));
        }
        batches.push({ s, events: events.slice(0, perBatch) });
        from += 600_000;
      }
    }
    const total = batches.length * perBatch;
    const start = process.hrtime.bigint();
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < batches.length) {
          const i = next++;
          const b = batches[i];
          const who = b ? ids[b.s] : undefined;
          if (!b || !who) continue;
          await submitBatch(server.url, who.id, who.key, {
            batch_id: `bench-${i}-x`,
            sensor_time: Date.now(),
            events: b.events,
          });
        }
      }),
    );
    const acked = Number(process.hrtime.bigint() - start) / 1e9;
    await server.drain();
    const applied = Number(process.hrtime.bigint() - start) / 1e9;
    return [
      {
        name: 'ingest: HTTP accept (signed gzip batches, durable on the bus)',
        value: Math.round(total / acked),
        unit: 'events/s',
      },
      {
        name: 'ingest: end to end (accepted and aggregated into SQLite)',
        value: Math.round(total / applied),
        unit: 'events/s',
      },
    ];
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
