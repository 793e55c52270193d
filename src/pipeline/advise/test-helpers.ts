/**
 * Test support for src/pipeline/advise and the advisory routes (not shipped): an incident on TCP/1025 with its
 * evidence, a hand-built Correlation (the shapes of src/protocol/intel-types.ts; the values are illustrative,
 * modelled on the April 2007 DNS RPC case), hourly series rows, and a real SQLite advisory store in a temp dir.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Incident } from '../../protocol/incident-types.js';
import type { Correlation, RankedVulnerability } from '../../protocol/intel-types.js';
import type { AttackEvent } from '../../core/event.js';
import type { PortBucketRow, Store } from '../../store/store.js';
import { ADVISORY_MIGRATION } from '../../store/sqlite/migration-advisories.js';
import { SqliteAdvisoryStore } from '../../store/sqlite/advisories.js';
import type { AdvisoryContent } from '../../protocol/advisory-types.js';
import { baselineBand } from './draft/baseline-band.js';
import { draftAdvisory } from './draft/draft.js';

export const HOUR = 3_600_000;
export const DAY = 86_400_000;
/** The activity's first bucket and the draft's "now". */
export const FIRST_SEEN = Date.parse('2007-04-15T07:00:00Z');
export const NOW = Date.parse('2007-04-16T12:00:00Z');

export function incident1025(over: Partial<Incident> = {}): Incident {
  return {
    id: 'in_tcp_1025_1176620400000',
    proto: 'tcp',
    port: 1025,
    status: 'escalated',
    severity: 7.4,
    level: 'high',
    confidence: { operators: 14, handshake_share: 0.82, label: 'high' },
    first_seen: FIRST_SEEN,
    opened_at: FIRST_SEEN + HOUR,
    updated_at: NOW - HOUR,
    resolved_at: null,
    reopened: 0,
    backfilled: false,
    campaign: null,
    evidence: {
      granularity: '1h',
      bucket: NOW - 2 * HOUR,
      test: 'spike',
      window: 3,
      metric: 'sources',
      observed: 1234,
      expected: 362.5,
      interval: [301, 428],
      p_value: 3.2e-12,
      alpha: 1e-4,
      fold: 3.404,
      sources: 1234,
      sensors: 41,
      expected_sensors: 17.2,
      operators: 14,
      effective_operators: 11.3,
      max_operator_share: 0.18,
      events: { observed: 20480, expected: 5200 },
      handshake_share: 0.82,
      growth: { slope_per_hour: 21.7, doubling_hours: 9.5 },
      novelty: false,
      gates: [
        { name: 'operator_quorum', passed: true, detail: '14 operators, need 3' },
        { name: 'effective_operators', passed: true, detail: '11.3 effective operators, need 2.5' },
        { name: 'max_share', passed: true, detail: 'largest operator 18%, at most 60%' },
      ],
      top_countries: [
        { country: 'CN', sources: 410 },
        { country: 'US', sources: 188 },
      ],
      top_networks: [],
    },
    history: [],
    ...over,
  };
}

const source = { kind: 'curated', ref: 'test fixture' };

export function vuln1748(
  exploitPort: number | null = 445,
  exploitTitle = 'DNS RPC Remote Buffer Overflow',
): RankedVulnerability {
  return {
    vulnerability: {
      id: 'CVE-2007-1748',
      title: 'Windows DNS Server RPC interface stack overflow',
      description: 'Stack-based buffer overflow in the RPC interface of the DNS Server service.',
      published: Date.parse('2007-04-13T00:00:00Z'),
      cvss: { score: 10, version: '2.0', vector: null },
      kev: null,
      products: ['microsoft:windows_server_2003'],
      advisories: ['MS07-029'],
      references: [],
      sources: [source],
    },
    score: 0.9,
    reasons: ['product matches the port family'],
    exploits: [
      {
        id: 'EDB-3737',
        title: exploitTitle,
        published: Date.parse('2007-04-15T00:00:00Z'),
        platform: 'windows',
        type: 'remote',
        port: exploitPort,
        cves: ['CVE-2007-1748'],
        url: null,
        sources: [source],
      },
    ],
  };
}

export function correlation1025(vulns: RankedVulnerability[] = [vuln1748()]): Correlation {
  return {
    proto: 'tcp',
    port: 1025,
    at: FIRST_SEEN,
    services: [
      {
        name: 'msrpc-dynamic',
        description: 'Microsoft RPC dynamic ports',
        family: 'microsoft-rpc',
        score: 0.92,
        reasons: ['port 1025 is the first of the Windows RPC dynamic range'],
        block: ['tcp/135', 'tcp/1025-5000', 'tcp/1024-65535'],
        sources: [source],
      },
      {
        name: 'blackjack',
        description: 'IANA: network blackjack',
        family: null,
        score: 0.1,
        reasons: ['IANA registry'],
        block: ['tcp/1025'],
        sources: [source],
      },
    ],
    vulnerabilities: vulns,
    exploit_count: vulns.reduce((n, v) => n + v.exploits.length, 0),
    timeline: [],
  };
}

/** Hourly rows from `from` for `hours` hours: `base` sources, `surge` from `surgeAt` on. */
export function hourlyRows(
  from: number,
  hours: number,
  base: number,
  surgeAt: number,
  surge: number,
): PortBucketRow[] {
  const rows: PortBucketRow[] = [];
  for (let h = 0; h < hours; h++) {
    const bucket = from + h * HOUR;
    const sources = bucket >= surgeAt ? surge : base + (h % 3);
    rows.push({
      proto: 'tcp',
      port: 1025,
      granularity: '1h',
      bucket,
      events: sources * 10,
      sources,
      sensors: 10,
      operators: 5,
      targets: 20,
      sources_handshake: 0,
      sources_no_handshake: 0,
    });
  }
  return rows;
}

export interface TempAdvisoryDb {
  db: Database.Database;
  store: SqliteAdvisoryStore;
  path: string;
  close(): void;
}

/** A fresh SQLite file with the advisory migration applied, as the lead's migration 7 will. */
export function tempAdvisoryDb(): TempAdvisoryDb {
  const dir = mkdtempSync(join(tmpdir(), 'sw-advise-'));
  const path = join(dir, 'advisories.db');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec(ADVISORY_MIGRATION.sql);
  return {
    db,
    store: new SqliteAdvisoryStore(db),
    path,
    close: () => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The drafted content of the TCP/1025 case (a real draftAdvisory run on the fixtures). */
export function sampleContent(): AdvisoryContent {
  const from = FIRST_SEEN - DAY;
  const rows = hourlyRows(from - 7 * DAY, (NOW - from) / HOUR + 7 * 24, 40, FIRST_SEEN, 400);
  return draftAdvisory({
    incident: incident1025(),
    correlation: correlation1025(),
    series: rows.filter((r) => r.bucket >= from),
    baseline: baselineBand(rows, from, NOW, FIRST_SEEN, from - 7 * DAY),
    now: NOW,
  });
}

/**
 * Writes the TCP/1025 case into a real Store through its own methods: quiet hours (3 sources) for eight days,
 * then 40 sources an hour from the activity's start until NOW, and the incident.
 */
export function seedIncidentStore(store: Pick<Store, 'applyBatches' | 'saveIncidents'>): void {
  const events: AttackEvent[] = [];
  for (let t = FIRST_SEEN - 8 * DAY; t < NOW; t += HOUR) {
    const n = t >= FIRST_SEEN ? 40 : 3;
    for (let i = 0; i < n; i++)
      events.push({ ts: t + 60_000 + i, proto: 'tcp', port: 1025, src: `198.51.100.${i + 1}` });
  }
  store.applyBatches([{ batch_id: 'b1', sensor_id: 's1', received_at: NOW, clock_offset_ms: 0, events }]);
  const i = incident1025();
  const { id, proto, port, status, level, severity, opened_at, updated_at } = i;
  store.saveIncidents([
    {
      id,
      proto,
      port,
      status,
      level,
      severity,
      opened_at,
      updated_at,
      campaign: null,
      backfilled: false,
      body: i,
    },
  ]);
}
