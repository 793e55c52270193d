/** Runs the line-input contract (line-input.contract.ts) for every registered line input. */
import { LINE_INPUTS } from './registry.js';
import { describeLineInputContract } from './line-input.contract.js';

for (const def of LINE_INPUTS) describeLineInputContract(def);
