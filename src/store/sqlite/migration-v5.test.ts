/** Migration 5 on a real version-4 database file: old rows read with no breakdown and uncapped events. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { DistinctCounter } from '../../core/distinct/index.js';
import { makeBatch, ev, T0 } from '../store.contract.js';
import { migrate, MIGRATIONS } from './migrations.js';
import { openSqliteStore } from './index.js';

const logger = pino({ level: 'silent' });
const seed = new Uint8Array(16).fill(5);
const dir = mkdtempSync(join(tmpdir(), 'sw-migrate5-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function versionFourDatabase(path: string): void {
  const db = new Database(path);
  expect(
    migrate(
      db,
      MIGRATIONS.filter((m) => m.version <= 4),
    ),
  ).toBe(4);
  const sketch = (n: number): Buffer => {
    const c = DistinctCounter.create();
    for (let i = 1; i <= n; i++) c.addHash(i * 7919);
    return c.serialize();
  };
  db.prepare(
    `INSERT INTO port_buckets (proto, port, granularity, bucket, events, sources, sensors, operators, targets,
       sources_handshake, sources_no_handshake, src_sketch, sensor_sketch, operator_sketch, target_sketch)
     VALUES ('tcp', 23, '5m', ?, 40, 3, 1, 1, 0, 0, 0, ?, ?, ?, ?)`,
  ).run(T0, sketch(3), sketch(1), sketch(1), sketch(0));
  db.close();
}

describe('migration 5 (detector inputs and outputs)', () => {
  it('keeps old rows, reads them with an empty breakdown, and continues them with the new columns', () => {
    const path = join(dir, 'v4.db');
    versionFourDatabase(path);
    const store = openSqliteStore({ path, seed, logger });
    try {
      const db = new Database(path, { readonly: true });
      expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.at(-1)?.version);
      db.close();
      const before = store.bucketObservation('5m', T0).keys;
      expect(before).toEqual([
        {
          proto: 'tcp',
          port: 23,
          sources: 3,
          sensors: 1,
          operators: 1,
          events: 40,
          events_capped: 40,
          by_operator: [],
        },
      ]);
      store.addSensor({ id: 's1', name: 's1', operator: 'op', public_key_pem: 'P', created_at: 0 });
      store.applyBatches([makeBatch('m1', 's1', [ev(T0 + 1, 23, '10.0.0.1'), ev(T0 + 2, 23, '10.0.0.1')])]);
      const after = store.bucketObservation('5m', T0).keys[0];
      // The old 40 events carry over uncapped; the new batch adds 2, and the breakdown starts with it.
      expect(after).toMatchObject({ sources: 4, events: 42, events_capped: 42 });
      expect(after?.by_operator).toEqual([
        {
          operator: store.listOperators()[0]?.public_id,
          sources: 1,
          sensors: 1,
          sensor_ids: [store.getSensor('s1')?.public_id],
        },
      ]);
      store.saveIncidents([
        {
          id: 'i1',
          proto: 'tcp',
          port: 23,
          status: 'open',
          level: 'low',
          severity: 20,
          opened_at: T0,
          updated_at: T0,
          campaign: null,
          backfilled: false,
          body: {},
        },
      ]);
      expect(store.listIncidents({ limit: 5 })).toHaveLength(1);
    } finally {
      store.close();
    }
  });
});
