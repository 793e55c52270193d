/** The shared line-input contract (input.ts rules) for the `fortinet` input, before and after registration. */
import { describeLineInputContract } from '../line-input.contract.js';
import { fortinetInput } from './index.js';

describeLineInputContract(fortinetInput);
