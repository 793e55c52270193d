/** The embedded SQLite bus: see sqlite-bus.ts. */
export { openSqliteBus } from './sqlite-bus.js';
export type { SqliteBusOptions } from './sqlite-bus.js';
