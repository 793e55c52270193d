/** The detect stage: the engine (model/), its statistics (stats/) and the server's runner (runner.ts). */
export { startDetector, DEFAULT_RUNNER_CONFIG, STATE_NAME } from './runner.js';
export type { Detector, DetectorOptions, DetectorStats, DetectorSettings, RunnerConfig } from './runner.js';
export { createDetectionEngine, Engine, GRAN_ORDER } from './model/engine.js';
export { DEFAULT_ENGINE_CONFIG, resolveEngineConfig } from './model/config.js';
export type { EngineConfig, EngineSettings, GranularityConfig } from './model/config.js';
export { assessThreat } from './model/threat.js';
export type * from './model/types.js';
