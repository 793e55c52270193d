/**
 * store.bucketObservation on SQLite: one closed bucket as the detector's input (src/core/observation.ts).
 *
 * Invariants:
 * - Indexed reads: the bucket's port rows (port_buckets_by_bucket; counts as one packed text, shares as one
 *   column, both by key, in one read transaction so they are of one snapshot) and the sensors with a sensor hour
 *   in the activity window (sensor_buckets_by_bucket) joined to their records. No sketch is decoded: the counts
 *   are the row's columns, the shares come from the row's compact breakdown (operator-shares.ts).
 * - Activity window: the max(1 h, granularity) ending at the bucket's end, widened to whole sensor hours (a 5m
 *   bucket at 10:00 looks at the hours 09:00 and 10:00). A sensor is active when it has a sensor hour there,
 *   which any batch makes, even an empty one (its counters land in the hour it was received).
 * - Operators are shown by public id (`po_...`): rows name them by keyed hash (operator-shares.ts), mapped back
 *   through the operator records hashed the same way (refreshed when a hash is unknown). Shares of operators
 *   without a record (sensors without one) show as `~` + the hash in base 36, never an internal id; the folded
 *   share shows as `~other`.
 * - A share of a few sensors (at most SENSOR_IDS_MAX, exact) names them by public id (`ps_...`), mapped back
 *   from their 30-bit keyed hashes through the sensor records (refreshed once per read when a hash is unknown).
 * - Exposure: each active sensor past probation weighs exposureWeight of the addresses it last declared
 *   (src/core/exposure.ts; 1 for a sensor that never said, or one without a record).
 * - Rows written before migration 5 have no breakdown (an empty by_operator) and capped events = events.
 * - Each row's source sample (source-sample.ts, migration 10) gives the key's sample sources, top networks (/24,
 *   /48) and top countries, scaled from the sample to the row's sources; rows without one have none. They are
 *   worked out when first read (StoredKeyObservation).
 */
import type Database from 'better-sqlite3';
import { GRANULARITIES } from '../../core/buckets.js';
import type { KeyedHasher } from '../../core/distinct/index.js';
import { makeError } from '../../core/errors.js';
import { exposureWeight } from '../../core/exposure.js';
import type { Protocol } from '../../core/event.js';
import type {
  BucketInput,
  DetectGranularity,
  KeyObservation,
  OperatorShare,
} from '../../core/observation.js';
import {
  decodeOperatorShares,
  OTHER_OPERATORS,
  OTHER_OPERATORS_NAME,
  SHARE_HASH_MASK,
} from '../rollups/operator-shares.js';
import { SENSOR_PROBATION_MS, onProbation } from '../rollups/probation.js';
import { sampleEvidence, SourceSample } from '../rollups/source-sample.js';

const HOUR = 3_600_000;

/** Fields of one row in the packed text, in this order (see the scalars statement). */
const FIELDS = 10;

interface ActiveSensor {
  id: string;
  operator: string | null;
  created_at: number | null;
  watched_addresses: number | null;
}

export class SqliteObservation {
  private readonly scalars: Database.Statement<[string, number], string | null>;
  private readonly blobs: Database.Statement<[string, number], Buffer | null>;
  private readonly samples: Database.Statement<[string, number], string | null>;
  private readonly read: (
    g: string,
    bucket: number,
  ) => { text: string | null; shares: Array<Buffer | null>; samples: Array<string | null> };
  private readonly active: Database.Statement<[number, number], ActiveSensor>;
  private readonly operators: Database.Statement<[], { id: string; public_id: string }>;
  private readonly sensorRecords: Database.Statement<[], { id: string; public_id: string }>;
  private sensorIds = new Map<number, string>();
  private sensorsRefreshed = false;
  /** Keyed hash of `operator:<internal id>` → public id. */
  private publicIds = new Map<number, string>();
  /** Labels of hashes without a record (kept apart, so that a record made later is picked up). */
  private readonly opaque = new Map<number, string>();
  private refreshed = false;

  constructor(
    db: Database.Database,
    private readonly hasher: KeyedHasher,
    private readonly probationMs: number = SENSOR_PROBATION_MS,
  ) {
    // Moving 10,000 rows × 10 columns into JS costs far more than SQLite's own work (about 0.5 µs a value), so
    // the counts come back as ONE text and the shares as one column; both ordered by key, read in one snapshot.
    // (group_concat(... ORDER BY ...) needs SQLite 3.44 or later; better-sqlite3 bundles 3.53.)
    // pluck() keeps the parameter types, but better-sqlite3's typings lose the row type: hence the casts.
    this.scalars = db
      .prepare(
        `SELECT group_concat(proto || ',' || port || ',' || events || ',' || coalesce(events_capped, events) || ','
           || sources || ',' || sensors || ',' || operators || ',' || targets || ',' || sources_handshake || ','
           || sources_no_handshake, ';' ORDER BY proto, port)
         FROM port_buckets WHERE granularity = ? AND bucket = ?`,
      )
      .pluck() as unknown as Database.Statement<[string, number], string | null>;
    this.blobs = db
      .prepare(
        'SELECT by_operator FROM port_buckets WHERE granularity = ? AND bucket = ? ORDER BY proto, port',
      )
      .pluck() as unknown as Database.Statement<[string, number], Buffer | null>;
    this.samples = db
      .prepare(
        'SELECT src_sample FROM port_buckets WHERE granularity = ? AND bucket = ? ORDER BY proto, port',
      )
      .pluck() as unknown as Database.Statement<[string, number], string | null>;
    this.read = db.transaction((g: string, b: number) => ({
      text: this.scalars.get(g, b) ?? null,
      shares: this.blobs.all(g, b),
      samples: this.samples.all(g, b),
    }));
    this.active = db.prepare(
      `SELECT a.sensor_id AS id, s.operator AS operator, s.created_at AS created_at,
              s.watched_addresses AS watched_addresses
       FROM (SELECT DISTINCT sensor_id FROM sensor_buckets WHERE bucket >= ? AND bucket < ?) a
       LEFT JOIN sensors s ON s.id = a.sensor_id`,
    );
    this.operators = db.prepare('SELECT id, public_id FROM operators');
    this.sensorRecords = db.prepare('SELECT id, public_id FROM sensors');
  }

  bucketObservation(g: DetectGranularity, bucket: number): Omit<BucketInput, 'backfill'> {
    const size = GRANULARITIES[g];
    const end = bucket + size;
    const from = Math.floor((end - Math.max(HOUR, size)) / HOUR) * HOUR;
    let exposure = 0;
    const fleetOperators = new Set<string>();
    const sensors = this.active.all(from, end);
    for (const s of sensors) {
      fleetOperators.add(s.operator ?? `sensor:${s.id}`);
      if (!onProbation(s.created_at ?? undefined, bucket, this.probationMs)) {
        exposure += exposureWeight(s.watched_addresses ?? 1);
      }
    }
    const keys: KeyObservation[] = [];
    this.refreshed = false;
    this.sensorsRefreshed = false;
    const { text, shares, samples } = this.read(g, bucket);
    const f = text === null ? [] : text.split(/[,;]/);
    if (f.length !== shares.length * FIELDS) {
      throw makeError(
        'SW_INTERNAL',
        `bucket ${g}/${bucket}: ${f.length} count fields for ${shares.length} rows`,
      );
    }
    for (let i = 0, at = 0; i < shares.length; i++, at += FIELDS) {
      const events = Number(f[at + 2]);
      const targets = Number(f[at + 7]);
      const hs = Number(f[at + 8]);
      const key = new StoredKeyObservation(
        f[at] as Protocol,
        Number(f[at + 1]),
        Number(f[at + 4]),
        Number(f[at + 5]),
        Number(f[at + 6]),
        Number(f[at + 3]),
        events,
        decodeOperatorShares(shares[i] ?? null, this.nameOf, this.sensorOf),
        samples[i] || null,
      );
      if (targets > 0) key.targets = targets;
      if (hs + Number(f[at + 9]) > 0) key.handshake_sources = hs;
      keys.push(key);
    }
    return {
      granularity: g,
      bucket,
      exposure,
      fleet_sensors: sensors.length,
      fleet_operators: fleetOperators.size,
      keys,
    };
  }

  private refreshOperators(): void {
    const ids = new Map<number, string>();
    for (const o of this.operators.all()) ids.set(this.hasher.hash(`operator:${o.id}`), o.public_id);
    ids.set(OTHER_OPERATORS, OTHER_OPERATORS_NAME);
    this.publicIds = ids;
  }

  /** Public id of a sensor by its 30-bit hash in a share (rollups/operator-shares.ts); `~` + base 36 if unknown. */
  private readonly sensorOf = (hash: number): string => {
    let known = this.sensorIds.get(hash);
    if (known === undefined && !this.sensorsRefreshed) {
      const ids = new Map<number, string>();
      for (const s of this.sensorRecords.all())
        ids.set(this.hasher.hash(s.id) & SHARE_HASH_MASK, s.public_id);
      this.sensorIds = ids;
      this.sensorsRefreshed = true;
      known = ids.get(hash);
    }
    return known ?? `~${hash.toString(36)}`;
  };

  /** Public id of an operator hash; refreshes the records once per read when a hash is unknown. */
  private readonly nameOf = (hash: number): string => {
    let known = this.publicIds.get(hash);
    if (known === undefined && !this.refreshed) {
      this.refreshOperators();
      this.refreshed = true;
      known = this.publicIds.get(hash);
    }
    if (known !== undefined) return known;
    let label = this.opaque.get(hash);
    if (label === undefined) {
      label = `~${hash.toString(36)}`;
      this.opaque.set(hash, label);
    }
    return label;
  };
}

type Evidence = ReturnType<typeof sampleEvidence>;

/**
 * A key of a stored bucket. Its sample sources, top networks and top countries are worked out from the row's
 * sample text when first read (getters; undefined without a sample), not for every key: the detector reads them
 * only for the keys it alerts on, and working them out for an hour of 100,000 keys took half a second. The text
 * is the one SQLite returned; a private field, so that equality and JSON see only the observation's fields.
 */
class StoredKeyObservation implements KeyObservation {
  targets?: number;
  handshake_sources?: number;
  readonly #sample: string | null;
  #evidence: Evidence | null = null;

  constructor(
    readonly proto: Protocol,
    readonly port: number,
    readonly sources: number,
    readonly sensors: number,
    readonly operators: number,
    readonly events_capped: number,
    readonly events: number,
    readonly by_operator: OperatorShare[],
    sample: string | null,
  ) {
    this.#sample = sample;
  }

  get sample_sources(): string[] | undefined {
    return this.#evidenceOf()?.sample_sources;
  }

  get top_networks(): Evidence['top_networks'] | undefined {
    return this.#evidenceOf()?.top_networks;
  }

  get top_countries(): Evidence['top_countries'] | undefined {
    return this.#evidenceOf()?.top_countries;
  }

  #evidenceOf(): Evidence | null {
    if (this.#sample === null) return null;
    return (this.#evidence ??= sampleEvidence(SourceSample.decode(this.#sample).list(), this.sources));
  }
}
