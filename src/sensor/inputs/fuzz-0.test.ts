/** Half of the line-input fuzz test (line-input-fuzz.contract.ts); two files so that both cores work. */
import { describeLineInputFuzz } from './line-input-fuzz.contract.js';

describeLineInputFuzz(0, 2);
