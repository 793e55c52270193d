/**
 * How the evaluation makes engines: injected by the caller (the CLI passes the real engine's
 * `createDetectionEngine`; the harness's tests pass a test double), so the harness depends only on the contract.
 */
import type { DetectionEngine } from '../pipeline/detect/model/types.js';

export interface EvalEngineConfig {
  alpha_scale: number;
  alert_budget_per_day: number;
}

export type EngineFactory = (config: Partial<EvalEngineConfig>, state?: Uint8Array) => DetectionEngine;
