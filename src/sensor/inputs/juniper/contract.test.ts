/** The shared line-input contract (input.ts rules) for the `juniper` input, before and after registration. */
import { describeLineInputContract } from '../line-input.contract.js';
import { juniperInput } from './index.js';

describeLineInputContract(juniperInput);
