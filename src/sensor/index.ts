/**
 * The sensor's public API, for the CLI (`stormwatch sensor enroll|run`) and tests. The sensor imports only core and
 * protocol, so it can ship alone (docs/ARCHITECTURE.md).
 */
export { startSensor, runSensorOnce } from './agent.js';
export type { SensorHandle, SensorStats, InputStats, StartSensorOptions } from './agent.js';
export { enrollSensor, isEnrolled, ENROLL_PATH } from './enroll.js';
export type { EnrollOptions } from './enroll.js';
export { readIdentity, readSensorKey, IDENTITY_FILE, KEY_FILE } from './identity.js';
export type { SensorIdentity } from './identity.js';
export {
  loadSensorConfig,
  sensorConfigFromFlags,
  validateSensorConfig,
  sensorConfigSchema,
} from './config.js';
export type { SensorConfig, SensorFlags, InputConfig } from './config.js';
export { INPUTS, getInput } from './inputs/registry.js';
export { parseIptablesBuffer, createIptablesParser } from './inputs/iptables/index.js';
export { LINE_INPUTS } from './inputs/registry.js';
export type { InputDefinition, InputOptions } from './inputs/registry.js';
export { parseFile, eventForDisplay } from './parse-file.js';
export { formatCounts } from './inputs/line-stats.js';
export { readStatus, formatStatus, STATUS_FILE } from './status.js';
export type { StatusReport } from './status.js';
export { dryRunInputs } from './dry-run.js';
