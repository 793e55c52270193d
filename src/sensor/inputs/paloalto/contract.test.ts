/** The shared line-input contract (input.ts rules) for the `paloalto` input, before and after registration. */
import { describeLineInputContract } from '../line-input.contract.js';
import { paloaltoInput } from './index.js';

describeLineInputContract(paloaltoInput);
