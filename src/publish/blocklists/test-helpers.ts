/**
 * Test support for the blocklist tests (not shipped behaviour): SourceTotals rows and a sample list built by
 * the real builder from them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import type { BusBatch } from '../../bus/bus.js';
import type { AttackEvent } from '../../core/event.js';
import { SqliteBlocklistStore } from '../../store/sqlite/blocklist.js';
import { openSqliteStore } from '../../store/sqlite/index.js';
import { BLOCKLIST_MIGRATION } from '../../store/sqlite/migration-blocklist.js';
import type { SourceTotals, Store } from '../../store/store.js';
import { buildBlocklist } from './builder.js';
import type { BuildInput } from './builder.js';
import { DEFAULT_SETTINGS } from './types.js';
import type { Blocklist, BlocklistKind } from './types.js';

export const DAY = 86_400_000;
export const NOW = Date.parse('2024-05-01T12:02:00Z');

/** One source's totals: seen by 3 sensors of 2 operators, 20 events on tcp/445 and tcp/1433 by default. */
export function totals(src: string, over: Partial<SourceTotals> = {}): SourceTotals {
  return {
    src,
    days: 1,
    events: 20,
    first_seen: NOW - 3 * 3_600_000,
    last_seen: NOW - 60_000,
    ports: 2,
    sensors: 3,
    operators: 2,
    country: 'NL',
    asn: 64500,
    as_name: 'Example Transit',
    top_ports: [
      ['tcp/445', 15],
      ['tcp/1433', 5],
    ],
    ...over,
  };
}

export function build(
  kind: BlocklistKind,
  sources: SourceTotals[],
  over: Partial<BuildInput> = {},
): Blocklist {
  return buildBlocklist({
    kind,
    sources,
    settings: { ...DEFAULT_SETTINGS },
    allowlist: [],
    now: NOW,
    allowNow: NOW,
    window: { days: 1, from: NOW - (NOW % DAY), to: NOW - (NOW % DAY) + DAY },
    limit: 1000,
    delisting: 'POST https://stormwatch.example/api/v1/blocklists/delist',
    ...over,
  });
}

/** Sources in two IPv4 /24s and one IPv6 /48, all above the default thresholds. */
export function sampleSources(): SourceTotals[] {
  return [
    totals('203.0.113.7', { events: 120 }),
    totals('203.0.113.9', { events: 30, top_ports: [['udp/5060', 30]] }),
    totals('198.51.100.20', { events: 50, country: null, asn: null, as_name: null }),
    totals('2001:db8:1:2::5', { events: 40 }),
    totals('2001:db8:1:ff::6', { events: 15 }),
  ];
}

/**
 * Real rollups for the route tests: sensors s1 and s2 of operator op-a, s3 of op-b, and events of `NOW`'s day
 * through store.applyBatches. 203.0.113.7 and .9 and 2001:db8:1::5 are seen by both operators (listed);
 * 198.51.100.20 only by op-a's sensors (never listed with the default thresholds, however busy).
 */
export function seedStore(store: Store): void {
  const ops: Array<[string, string]> = [
    ['s1', 'op-a'],
    ['s2', 'op-a'],
    ['s3', 'op-b'],
  ];
  for (const [id, operator] of ops)
    store.addSensor({ id, name: id, operator, public_key_pem: `PEM-${id}`, created_at: NOW - DAY });
  const at = NOW - 3_600_000;
  const events = (src: string, n: number, port = 445): AttackEvent[] =>
    Array.from({ length: n }, (_, i) => ({ ts: at + i * 1000, proto: 'tcp' as const, port, src }));
  const batch = (id: string, sensor: string, evs: AttackEvent[]): BusBatch => ({
    batch_id: `batch-${id}`,
    sensor_id: sensor,
    received_at: NOW,
    clock_offset_ms: 0,
    events: evs,
  });
  store.applyBatches([
    batch('1', 's1', [
      ...events('203.0.113.7', 6),
      ...events('203.0.113.9', 3, 23),
      ...events('198.51.100.20', 15),
    ]),
    batch('2', 's3', [...events('203.0.113.7', 6, 3389), ...events('203.0.113.9', 2, 23)]),
    batch('3', 's2', [...events('198.51.100.20', 15), ...events('2001:db8:1::5', 6)]),
    batch('4', 's3', events('2001:db8:1::5', 6, 22)),
  ]);
}

export interface TestData {
  store: Store;
  lists: SqliteBlocklistStore;
  close(): void;
}

/** A seeded SQLite store and a blocklist database (BLOCKLIST_MIGRATION applied), in a fresh temp folder. */
export function openTestData(): TestData {
  const dir = mkdtempSync(join(tmpdir(), 'sw-blocklists-'));
  const store = openSqliteStore({
    path: join(dir, 'store.db'),
    seed: new Uint8Array(16).fill(3),
    logger: pino({ level: 'silent' }),
  });
  seedStore(store);
  const db = new Database(join(dir, 'lists.db'));
  db.exec(BLOCKLIST_MIGRATION.sql);
  return {
    store,
    lists: new SqliteBlocklistStore(db),
    close: () => {
      store.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
