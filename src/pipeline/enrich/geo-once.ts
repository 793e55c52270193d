/**
 * loadGeo once per process and set of files: the tables take about 1.7 s of CPU and some 60 MiB to build, and a
 * process that starts several servers (tests, `stormwatch import`) needs them only once.
 *
 * Invariant: the shared lookup is never closed by a caller (close() of the returned object does nothing); the
 * tables live as long as the process.
 */
import type { Logger } from 'pino';
import { loadGeo } from './geo.js';
import type { GeoLookup, GeoOptions } from './geo.js';

const loaded = new Map<string, GeoLookup>();

export function loadGeoOnce(opts: GeoOptions, logger: Logger): GeoLookup {
  const key = JSON.stringify([opts.country_file, opts.asn_ipv4_file, opts.asn_ipv6_file]);
  let geo = loaded.get(key);
  if (geo === undefined) {
    const fresh = loadGeo(opts, logger);
    geo = { lookup: (ip) => fresh.lookup(ip), sources: fresh.sources };
    loaded.set(key, geo);
  }
  return geo;
}
