/** encodeBatchFromJson (and its thread-pool variant): the same document as encodeBatch, from the events' JSON bytes. */
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { AttackEvent } from '../core/event.js';
import { PROTOCOLS } from '../core/event.js';
import { seededRandom } from '../core/random.js';
import {
  batchEnvelopeSchema,
  encodeBatch,
  encodeBatchFromJson,
  encodeBatchFromJsonAsync,
  eventSchema,
} from './batch.js';
import type { SubmissionBatch } from './batch.js';

function randomBatch(seed: number): SubmissionBatch {
  const r = seededRandom(seed);
  const events: AttackEvent[] = Array.from({ length: r.int(50) }, () => {
    const e: AttackEvent = {
      ts: 1_700_000_000_000 + r.int(1e9),
      proto: PROTOCOLS[r.int(PROTOCOLS.length)]!,
      port: r.int(65536),
      src: r.int(2) === 0 ? `203.0.113.${r.int(256)}` : `2001:db8::${r.int(65536).toString(16)}`,
    };
    if (r.int(2) === 0) e.sport = r.int(65536);
    if (r.int(3) === 0) e.dst = `198.51.100.${r.int(256)}`;
    if (r.int(3) === 0) e.flags = 'SA'.slice(0, 1 + r.int(2));
    if (r.int(4) === 0) e.handshake = r.int(2) === 0;
    if (r.int(5) === 0)
      e.payload = {
        sha256: 'ab'.repeat(32),
        head: Buffer.from(`GET /${r.int(1e6)}`).toString('base64'),
        bytes: r.int(9999),
      };
    return e;
  });
  return {
    batch_id: `b_${seed.toString(36).padStart(8, '0')}`,
    sensor_time: 1_700_000_000_000 + r.int(1e9),
    events,
    ...(r.int(2) === 0 ? { stats: { malformed: r.int(100), 'dropped lines': r.int(5) } } : {}),
    ...(r.int(2) === 0 ? { watched_addresses: 1 + r.int(65_536) } : {}),
  };
}

describe('encodeBatchFromJson', () => {
  it('gives the document encodeBatch gives, for random batches, and the server accepts it', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const batch = randomBatch(seed);
      const { events, ...rest } = batch;
      const body = encodeBatchFromJson({ ...rest, eventsJson: Buffer.from(JSON.stringify(events)) });
      const text = gunzipSync(body).toString('utf8');
      const doc = JSON.parse(text) as unknown;
      expect(doc).toEqual(batch);
      expect(text).toBe(gunzipSync(encodeBatch(batch)).toString('utf8'));
      const env = batchEnvelopeSchema.parse(doc);
      for (const e of env.events) eventSchema.parse(e);
    }
  });

  it('the thread-pool variant gives the same bytes', async () => {
    for (let seed = 1; seed <= 20; seed++) {
      const { events, ...rest } = randomBatch(seed);
      const b = { ...rest, eventsJson: Buffer.from(JSON.stringify(events)) };
      expect((await encodeBatchFromJsonAsync(b)).equals(encodeBatchFromJson(b))).toBe(true);
    }
  });

  it('keeps non-ASCII bytes of the events as they are', () => {
    const eventsJson = Buffer.from('[{"note":"ünïcødé ✓"}]', 'utf8');
    const doc = JSON.parse(
      gunzipSync(encodeBatchFromJson({ batch_id: 'abcdefgh', sensor_time: 1, eventsJson })).toString('utf8'),
    ) as unknown;
    expect(doc).toEqual({ batch_id: 'abcdefgh', sensor_time: 1, events: [{ note: 'ünïcødé ✓' }] });
  });
});
