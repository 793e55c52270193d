export { RollupEngine } from './engine.js';
export type { RollupContext, RollupEngineOptions, RollupEngineStats } from './engine.js';
export { SourceDayState, TOP_PORTS, keyName } from './source-day.js';
export type * from './types.js';
