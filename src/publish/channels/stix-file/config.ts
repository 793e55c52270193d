/** Config of a stix-file channel (docs/CHANNELS.md). */
import { z } from 'zod';
import { baseChannelShape } from '../config-base.js';

export const stixFileConfigSchema = z.strictObject({
  type: z.literal('stix-file'),
  ...baseChannelShape,
  /** Existing folder a TAXII server or TIP picks bundles up from (it is not created). */
  directory: z.string().min(1).max(4096),
});

export type StixFileConfig = z.infer<typeof stixFileConfigSchema>;
