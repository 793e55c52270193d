/**
 * The embedded bus (src/bus/bus.ts) on SQLite: an inbox table in a WAL database with synchronous=FULL.
 *
 * Invariants:
 * - publish resolves only after the COMMIT that holds the batch returned (fsync'd: synchronous=FULL).
 *   Publishes that arrive in the same turn of the event loop share one transaction (group commit), so many
 *   concurrent submissions cost one fsync, not one each. Each still gets its own answer.
 * - A batch id is 'duplicate' when it is in the inbox (unacked) or in bus_acked (acked within
 *   ackedRetentionMs). Older acked ids are pruned; the store's applied-batch record still catches a retry
 *   that comes later than that.
 * - fetch returns the oldest unacked batches in seq (= publish) order and does not hide them: until acked, a
 *   batch is handed out again by every fetch and after every reopen. So there is ONE consumer (the
 *   aggregator loop, which fetches, applies, acks, and only then fetches again).
 * - The bus owns only bus_* tables, so its file may be the store's file or its own.
 * - A batch with `raw` is stored as those bytes (a BLOB: gzip or plain JSON of the submission body); one without
 *   as JSON text of {events, stats, watched_addresses}. Both decode to the same batch.
 */
import { immediateTx } from '../../store/sqlite/immediate.js';
import { gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { systemClock } from '../../core/clock.js';
import type { Clock } from '../../core/clock.js';
import type { AttackEvent } from '../../core/event.js';
import { makeError } from '../../core/errors.js';
import type { Bus, BusBatch } from '../bus.js';
import { migrateBus } from './schema.js';

export interface SqliteBusOptions {
  /** Database file (created when missing). May be the store's file. */
  path: string;
  logger: Logger;
  /** Time for acked_at and pruning. Default: the system clock. */
  clock?: Clock;
  /** How long acked batch ids keep answering 'duplicate'. Default 7 days. */
  ackedRetentionMs?: number;
}

interface InboxRow {
  seq: number;
  batch_id: string;
  sensor_id: string;
  received_at: number;
  clock_offset_ms: number;
}

interface Payload {
  events: AttackEvent[];
  stats?: Record<string, number>;
  watched_addresses?: number;
}

function payloadOf(b: BusBatch): Payload {
  const p: Payload = { events: b.events };
  if (b.stats !== undefined) p.stats = b.stats;
  if (b.watched_addresses !== undefined) p.watched_addresses = b.watched_addresses;
  return p;
}

interface PendingPublish {
  batch: BusBatch;
  resolve(result: 'accepted' | 'duplicate'): void;
  reject(err: unknown): void;
}

const DAY_MS = 86_400_000;
const PRUNE_EVERY_MS = 3_600_000;

/**
 * Opens (creating when needed) the SQLite bus.
 * @example const bus = openSqliteBus({ path: 'data/bus.db', logger: log.child({ c: 'bus' }) });
 */
export function openSqliteBus(opts: SqliteBusOptions): Bus {
  const log = opts.logger;
  const clock = opts.clock ?? systemClock;
  const retentionMs = opts.ackedRetentionMs ?? 7 * DAY_MS;
  const db = new Database(opts.path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    migrateBus(db);
  } catch (err) {
    db.close();
    throw err;
  }
  log.info({ path: opts.path }, 'bus opened');

  const st = {
    isAcked: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM bus_acked WHERE batch_id = ?'),
    insert: db.prepare<[string, string, number, number, string | Buffer]>(
      `INSERT INTO bus_inbox (batch_id, sensor_id, received_at, clock_offset_ms, payload) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (batch_id) DO NOTHING`,
    ),
    fetch: db.prepare<[number, number], InboxRow>(
      `SELECT seq, batch_id, sensor_id, received_at, clock_offset_ms FROM bus_inbox
       WHERE seq > ? ORDER BY seq LIMIT ?`,
    ),
    payload: db.prepare<[number], { payload: string | Buffer }>(
      'SELECT payload FROM bus_inbox WHERE seq = ?',
    ),
    remove: db.prepare<[number], { batch_id: string }>(
      'DELETE FROM bus_inbox WHERE seq = ? RETURNING batch_id',
    ),
    remember: db.prepare<[string, number]>(
      `INSERT INTO bus_acked (batch_id, acked_at) VALUES (?, ?)
       ON CONFLICT (batch_id) DO UPDATE SET acked_at = excluded.acked_at`,
    ),
    prune: db.prepare<[number]>('DELETE FROM bus_acked WHERE acked_at < ?'),
    backlog: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM bus_inbox'),
  };

  // BEGIN IMMEDIATE: a deferred transaction that reads first (isAcked) and then writes cannot take the write lock
  // once the aggregator's connection has committed after its read began; SQLite then answers SQLITE_BUSY at
  // once, without waiting for busy_timeout (the 503s the demo's backfill used to show). Taking the write lock
  // first makes the wait go through busy_timeout instead.
  const publishTx = immediateTx(db, (group: PendingPublish[]) =>
    group.map(({ batch: b }): 'accepted' | 'duplicate' => {
      if (st.isAcked.get(b.batch_id)) return 'duplicate';
      const { changes } = st.insert.run(
        b.batch_id,
        b.sensor_id,
        b.received_at,
        b.clock_offset_ms,
        b.raw ?? JSON.stringify(payloadOf(b)),
      );
      return changes === 1 ? 'accepted' : 'duplicate';
    }),
  );

  let lastPrune = -Infinity;
  const ackTx = immediateTx(db, (seqs: number[], now: number) => {
    let acked = 0;
    for (const seq of seqs) {
      const row = st.remove.get(seq);
      if (!row) continue;
      st.remember.run(row.batch_id, now);
      acked++;
    }
    let pruned = 0;
    if (now - lastPrune >= PRUNE_EVERY_MS) {
      pruned = st.prune.run(now - retentionMs).changes;
      lastPrune = now;
    }
    return { acked, pruned };
  });

  let pending: PendingPublish[] = [];
  let flushScheduled: Promise<void> | null = null;
  let closed = false;

  const flush = (): void => {
    const group = pending;
    pending = [];
    flushScheduled = null;
    if (group.length === 0) return;
    try {
      const results = publishTx(group);
      group.forEach((p, i) => p.resolve(results[i] ?? 'duplicate'));
      log.debug({ batches: group.length }, 'published');
    } catch (err) {
      log.error({ err, batches: group.length }, 'publish failed');
      for (const p of group) p.reject(err);
    }
  };

  /** Runs a synchronous database step as a promise: errors (including "closed") become rejections. */
  const run = <T>(step: () => T): Promise<T> => {
    try {
      if (closed) throw makeError('SW_UNAVAILABLE', 'bus is closed');
      return Promise.resolve(step());
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  };

  return {
    publish(batch: BusBatch): Promise<'accepted' | 'duplicate'> {
      if (closed) return Promise.reject(makeError('SW_UNAVAILABLE', 'bus is closed'));
      return new Promise((resolve, reject) => {
        pending.push({ batch, resolve, reject });
        flushScheduled ??= new Promise<void>((done) =>
          setImmediate(() => {
            flush();
            done();
          }),
        );
      });
    },

    fetch(max: number, after = 0, maxEvents = Infinity): Promise<Array<BusBatch & { seq: number }>> {
      return run(() => {
        if (max <= 0) return [];
        // The rows first (no payloads), then one payload decoded at a time until the events reach the bound.
        const out: Array<BusBatch & { seq: number }> = [];
        let events = 0;
        for (const row of st.fetch.all(after, Math.floor(max))) {
          if (out.length > 0 && events >= maxEvents) break;
          const b = toBatch(row, st.payload.get(row.seq)?.payload ?? '{"events":[]}');
          out.push(b);
          events += b.events.length;
        }
        return out;
      });
    },

    ack(seqs: number[]): Promise<void> {
      return run(() => {
        if (seqs.length === 0) return;
        const { acked, pruned } = ackTx(seqs, clock.now());
        log.debug({ acked, pruned }, 'acked');
      });
    },

    backlog(): Promise<number> {
      return run(() => st.backlog.get()?.n ?? 0);
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      if (flushScheduled) await flushScheduled;
      db.close();
      log.info('bus closed');
    },
  };
}

function toBatch(row: InboxRow, stored: string | Buffer): BusBatch & { seq: number } {
  let payload: Payload;
  if (typeof stored === 'string') {
    payload = JSON.parse(stored) as Payload;
  } else {
    const gzip = stored.length >= 2 && stored[0] === 0x1f && stored[1] === 0x8b;
    payload = JSON.parse((gzip ? gunzipSync(stored) : stored).toString('utf8')) as Payload;
  }
  const batch: BusBatch & { seq: number } = {
    seq: row.seq,
    batch_id: row.batch_id,
    sensor_id: row.sensor_id,
    received_at: row.received_at,
    clock_offset_ms: row.clock_offset_ms,
    events: payload.events,
  };
  if (payload.stats !== undefined) batch.stats = payload.stats;
  if (payload.watched_addresses !== undefined) batch.watched_addresses = payload.watched_addresses;
  if (typeof stored !== 'string') batch.raw = stored;
  return batch;
}
