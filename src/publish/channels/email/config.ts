/** Config of an email channel (docs/CHANNELS.md). */
import { z } from 'zod';
import { baseChannelShape, envName } from '../config-base.js';

export const emailConfigSchema = z.strictObject({
  type: z.literal('email'),
  ...baseChannelShape,
  host: z.string().min(1).max(253),
  port: z.number().int().min(1).max(65535).default(587),
  /** TLS from the first byte (port 465). */
  secure: z.boolean().default(false),
  /** Without `secure`: 'required' refuses a server without STARTTLS, 'opportunistic' uses it when offered. */
  starttls: z.enum(['required', 'opportunistic', 'off']).default('required'),
  tls_reject_unauthorized: z.boolean().default(true),
  auth: z
    .strictObject({
      user: z.string().min(1).max(256),
      pass: z.string().min(1).max(1024).optional(),
      pass_env: envName.optional(),
    })
    .refine((a) => (a.pass === undefined) !== (a.pass_env === undefined), {
      message: 'give exactly one of pass and pass_env',
      path: ['pass'],
    })
    .optional(),
  from: z.email(),
  from_name: z.string().max(100).default('Stormwatch'),
  to: z.array(z.email()).min(1).max(100),
  subject_prefix: z.string().max(50).default('[Stormwatch]'),
});

export type EmailConfig = z.infer<typeof emailConfigSchema>;
