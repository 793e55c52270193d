/** The enrich stage: country and AS of source addresses (see geo.ts). */
export { DEFAULT_GEO_FILES, NO_GEO, loadGeo } from './geo.js';
export type { GeoInfo, GeoLookup, GeoOptions, GeoStats, LoadedGeo } from './geo.js';
export { loadGeoOnce } from './geo-once.js';
