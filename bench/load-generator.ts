/**
 * A load generator process for bench/ingest.bench.ts: sends pre-built gzip batch bodies as signed submissions,
 * as fast as allowed or at a given event rate, and prints one JSON line with what it saw.
 *
 * Run as `node --import tsx bench/load-generator.ts SPEC.json`; SPEC: { url, sensors: [{id, privateKeyPem}],
 * batches: {count, seed, pool, from, span, tag}, concurrency, eventsPerSecond (0 = as fast as possible) }. The
 * batches are built here before the clock starts (so the server's process holds none of the bench's data): batch
 * i covers ten seconds at from + i/count × span, its sources drawn from `pool` addresses, its sensor i mod sensors.
 * Every latency is one request's time from send to the server's acknowledgement (HTTP 200 with the ack).
 * A 429 is waited out (Retry-After) and retried, and counted; any other refusal is counted as an error.
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import type { AttackEvent } from '../src/core/event.js';
import { SUBMISSIONS_PATH, encodeBatch } from '../src/protocol/batch.js';
import { loadPrivateKey, signRequest } from '../src/protocol/signing.js';

interface Spec {
  url: string;
  sensors: Array<{ id: string; privateKeyPem: string }>;
  batches: { count: number; seed: number; pool: number; from: number; span: number; tag: string };
  concurrency: number;
  eventsPerSecond: number;
}

const PER_BATCH = 5000;

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

/** Events of one batch: 200 busy ports with Zipf-like weights plus 5% to any port, sources from `pool`. */
function batchEvents(r: () => number, pool: number, from: number, span: number): AttackEvent[] {
  const events: AttackEvent[] = [];
  for (let i = 0; i < PER_BATCH; i++) {
    const n = Math.floor(r() * pool);
    const u = r();
    const rank = Math.floor(200 * r() ** 3);
    const port =
      u < 0.95
        ? ([22, 23, 80, 443, 445, 1025, 1433, 3389][rank] ?? 1024 + rank * 37)
        : 1 + Math.floor(r() * 65535);
    events.push({
      ts: from + Math.floor(r() * span),
      proto: u < 0.9 ? 'tcp' : 'udp',
      port,
      src: `${11 + (n >>> 24)}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`,
      sport: 1024 + Math.floor(r() * 60000),
      dst: `10.${n % 100}.0.0`,
      flags: 'S',
    });
  }
  return events;
}

const spec = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as Spec;
const keys = spec.sensors.map((s) => ({ id: s.id, key: loadPrivateKey(s.privateKeyPem) }));
const r = rng(spec.batches.seed);
const { count, pool, from, span, tag } = spec.batches;
const bodies = Array.from({ length: count }, (_, i) => ({
  sensor: i % keys.length,
  events: PER_BATCH,
  body: encodeBatch({
    batch_id: `bench-${tag}-${i}-${Date.now().toString(36)}`,
    sensor_time: Date.now(),
    events: batchEvents(r, pool, from + Math.floor((i / count) * span), 10_000),
  }),
}));
const target = new URL(SUBMISSIONS_PATH, spec.url);
const agent = new Agent({ keepAlive: true, maxSockets: spec.concurrency });

function post(body: Buffer, sensor: number): Promise<{ status: number; retryAfter: number }> {
  const who = keys[sensor];
  if (!who) throw new Error(`no sensor ${sensor}`);
  const headers = signRequest(who.id, who.key, 'POST', SUBMISSIONS_PATH, body, Date.now());
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-encoding': 'gzip',
          'content-length': body.length,
          ...headers,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, retryAfter: Number(res.headers['retry-after'] ?? 1) }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const latencies: number[] = [];
const startedAt = Date.now();
let next = 0;
let events = 0;
let errors = 0;
let throttled = 0;
const t0 = performance.now();

async function worker(): Promise<void> {
  for (;;) {
    const i = next++;
    const b = bodies[i];
    if (!b) return;
    if (spec.eventsPerSecond > 0) {
      // Open-loop pacing: batch i is due when the events before it have had their share of time.
      const due = t0 + ((i * b.events) / spec.eventsPerSecond) * 1000;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    for (;;) {
      const sent = performance.now();
      const res = await post(b.body, b.sensor);
      if (res.status === 429) {
        throttled++;
        await new Promise((r) => setTimeout(r, res.retryAfter * 1000));
        continue;
      }
      latencies.push(performance.now() - sent);
      if (res.status === 200) events += b.events;
      else errors++;
      break;
    }
  }
}

await Promise.all(Array.from({ length: spec.concurrency }, () => worker()));
const seconds = (performance.now() - t0) / 1000;
agent.destroy();
process.stdout.write(JSON.stringify({ events, errors, throttled, seconds, startedAt, latencies }) + '\n');
