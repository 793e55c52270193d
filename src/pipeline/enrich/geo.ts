/**
 * Country and AS of a source address, for the per (day, source) aggregates (issue 4).
 *
 * Data: a country MMDB (default: @ip-location-db/geo-whois-asn-country-mmdb) and the ASN CSV files (default:
 * @ip-location-db/asn), found through Node's module resolution, so replacing the packages or pointing the
 * `geo` config at newer files of the same formats updates the data. Licences and attribution: docs/THIRD-PARTY.md.
 *
 * Invariants:
 * - Everything is loaded and checked at start (loadGeo is synchronous); a missing or malformed file is an
 *   SW_CONFIG_INVALID error naming the config key, the file and what is wrong. A null path disables that part.
 * - lookup() never throws: an address that does not parse, a special-purpose address (private, loopback,
 *   documentation, ..., see special.ts) and an address without data all answer nulls, each field on its own.
 * - lookup() allocates only its answer: address parsing is done on numbers and the tables are typed arrays
 *   (range-table.ts); AS names are interned, one string per distinct name.
 */
import { createRequire } from 'node:module';
import type { Logger } from 'pino';
import { makeError } from '../../core/errors.js';
import { parseAddress, V4, V6 } from './address.js';
import { loadAsnCsv } from './asn-csv.js';
import type { AsnTarget } from './asn-csv.js';
import { AsnDictionary } from './asn-dictionary.js';
import { loadCountryMmdb } from './country-mmdb.js';
import { RangeBuilder4, RangeBuilder6 } from './range-table.js';
import type { RangeTable4, RangeTable6 } from './range-table.js';
import { isSpecialV4, isSpecialV6 } from './special.js';

export interface GeoInfo {
  /** ISO 3166-1 alpha-2 code of the country the address is registered or located in. */
  country: string | null;
  asn: number | null;
  as_name: string | null;
}

export interface GeoLookup {
  /** @example geo.lookup('8.8.8.8') // { country: 'US', asn: 15169, as_name: 'Google LLC' } */
  lookup(ip: string): GeoInfo;
  /** The files the answers come from (null: that part is disabled). */
  readonly sources: { country: string | null; asn: string | null };
  /** Lets the tables go; later lookups answer nulls. */
  close?(): void;
}

/** Paths of the data files; unset: the installed package's file; null: that part disabled. */
export interface GeoOptions {
  country_file?: string | null;
  asn_ipv4_file?: string | null;
  asn_ipv6_file?: string | null;
}

/** What a load cost and holds, for the start-up log and the benchmark. */
export interface GeoStats {
  load_ms: number;
  country_runs_v4: number;
  country_runs_v6: number;
  asn_runs_v4: number;
  asn_runs_v6: number;
  asn_rows: number;
  /** Rows clipped because they overlap the row before (the earlier row wins). */
  asn_overlaps: number;
  asn_records: number;
  as_names: number;
  /** Bytes of the typed arrays (country and ASN tables, ASN records); names and codes are on the heap. */
  table_bytes: number;
}

export interface LoadedGeo extends GeoLookup {
  readonly stats: GeoStats;
  close(): void;
}

/** The data files of the installed packages, resolved as modules (not guessed paths). */
export const DEFAULT_GEO_FILES = {
  country_file: '@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb',
  asn_ipv4_file: '@ip-location-db/asn/asn-ipv4.csv',
  asn_ipv6_file: '@ip-location-db/asn/asn-ipv6.csv',
} as const;

type GeoKey = keyof typeof DEFAULT_GEO_FILES;

function resolvePath(opts: GeoOptions, key: GeoKey): string | null {
  const given = opts[key];
  if (given !== undefined) return given;
  const specifier = DEFAULT_GEO_FILES[key];
  try {
    return createRequire(import.meta.url).resolve(specifier);
  } catch (err) {
    throw makeError(
      'SW_CONFIG_INVALID',
      `geo.${key}: the default data file ${specifier} is not installed; install its package, set a path, ` +
        'or set null to do without',
      { cause: err },
    );
  }
}

const nulls = (): GeoInfo => ({ country: null, asn: null, as_name: null });

/** Answers nulls for every address: geo enrichment disabled. */
export const NO_GEO: GeoLookup = Object.freeze({
  lookup: nulls,
  sources: Object.freeze({ country: null, asn: null }),
});

interface AsnTables {
  asn4: RangeTable4 | null;
  asn6: RangeTable6 | null;
  asns: Uint32Array;
  nameIds: Uint32Array;
  names: ReadonlyArray<string | null>;
}

interface Tables extends AsnTables {
  country4: RangeTable4 | null;
  country6: RangeTable6 | null;
  codes: ReadonlyArray<string | null>;
}

type AsnCounts = Pick<GeoStats, 'asn_rows' | 'asn_overlaps' | 'as_names'>;

function loadAsn(v4File: string | null, v6File: string | null, logger: Logger): AsnTables & AsnCounts {
  const dict = new AsnDictionary();
  const counts: AsnCounts = { asn_rows: 0, asn_overlaps: 0, as_names: 0 };
  const one = (file: string, key: string, target: AsnTarget): void => {
    const s = loadAsnCsv(file, `geo.${key} ${file}`, target, dict);
    if (s.overlaps > 0) {
      const detail = { file, rows: s.overlaps, first_line: s.firstOverlapLine };
      logger.info(detail, 'geo: overlapping ASN rows clipped (the earlier row wins)');
    }
    counts.asn_rows += s.rows;
    counts.asn_overlaps += s.overlaps;
  };
  let asn4: RangeTable4 | null = null;
  let asn6: RangeTable6 | null = null;
  if (v4File !== null) {
    const builder = new RangeBuilder4();
    one(v4File, 'asn_ipv4_file', { family: 4, builder });
    asn4 = builder.finish();
  }
  if (v6File !== null) {
    const builder = new RangeBuilder6();
    one(v6File, 'asn_ipv6_file', { family: 6, builder });
    asn6 = builder.finish();
  }
  counts.as_names = dict.nameCount;
  return { asn4, asn6, ...dict.seal(), ...counts };
}

/** The answer for `ip` from `t`; `w` is scratch space. */
function lookupIn(t: Tables, ip: string, w: Uint32Array): GeoInfo {
  const kind = parseAddress(ip, w);
  let c = 0;
  let r = 0;
  if (kind === V4) {
    const a = w[0] ?? 0;
    if (isSpecialV4(a)) return nulls();
    if (t.country4 !== null) c = t.country4.get(a);
    if (t.asn4 !== null) r = t.asn4.get(a);
  } else if (kind === V6) {
    const w0 = w[0] ?? 0;
    if (isSpecialV6(w0)) return nulls();
    const w1 = w[1] ?? 0;
    const w2 = w[2] ?? 0;
    const w3 = w[3] ?? 0;
    if (t.country6 !== null) c = t.country6.get(w0, w1, w2, w3);
    if (t.asn6 !== null) r = t.asn6.get(w0, w1, w2, w3);
  } else {
    return nulls();
  }
  return {
    country: t.codes[c] ?? null,
    asn: r === 0 ? null : (t.asns[r] ?? null),
    as_name: r === 0 ? null : (t.names[t.nameIds[r] ?? 0] ?? null),
  };
}

/**
 * Loads the data files (synchronously; see the module header for what fails and how).
 * @example const geo = loadGeo(config.geo ?? {}, logger.child({ component: 'geo' }))
 */
export function loadGeo(opts: GeoOptions, logger: Logger): LoadedGeo {
  const t0 = performance.now();
  const countryFile = resolvePath(opts, 'country_file');
  const v4File = resolvePath(opts, 'asn_ipv4_file');
  const v6File = resolvePath(opts, 'asn_ipv6_file');
  const country =
    countryFile === null ? null : loadCountryMmdb(countryFile, `geo.country_file ${countryFile}`);
  const { asn_rows, asn_overlaps, as_names, ...asn } = loadAsn(v4File, v6File, logger);
  let tables: Tables | null = {
    country4: country?.v4 ?? null,
    country6: country?.v6 ?? null,
    codes: country?.codes ?? [null],
    ...asn,
  };
  const runs = (t: RangeTable4 | RangeTable6 | null): number => t?.runs ?? 0;
  const bytes = [tables.country4, tables.country6, asn.asn4, asn.asn6].reduce(
    (n, t) => n + (t?.bytes ?? 0),
    0,
  );
  const stats: GeoStats = {
    load_ms: Math.round(performance.now() - t0),
    country_runs_v4: runs(tables.country4),
    country_runs_v6: runs(tables.country6),
    asn_runs_v4: runs(asn.asn4),
    asn_runs_v6: runs(asn.asn6),
    asn_rows,
    asn_overlaps,
    asn_records: asn.asns.length - 1,
    as_names,
    table_bytes: bytes + asn.asns.byteLength + asn.nameIds.byteLength,
  };
  const asnFiles = [v4File, v6File].filter((f): f is string => f !== null);
  const sources = Object.freeze({
    country: countryFile,
    asn: asnFiles.length > 0 ? asnFiles.join(', ') : null,
  });
  const built = country?.built.toISOString() ?? null;
  logger.info({ ...sources, country_built: built, ...stats }, 'geo data loaded');

  const w = new Uint32Array(4);
  return {
    sources,
    stats,
    lookup(ip: string): GeoInfo {
      return tables === null || typeof ip !== 'string' ? nulls() : lookupIn(tables, ip, w);
    },
    close(): void {
      tables = null;
    },
  };
}
