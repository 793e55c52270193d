/** Config of a webhook channel (docs/CHANNELS.md). */
import { z } from 'zod';
import { baseChannelShape, envName } from '../config-base.js';
import { urlProblem } from './target.js';

export const webhookConfigSchema = z
  .strictObject({
    type: z.literal('webhook'),
    ...baseChannelShape,
    url: z
      .string()
      .max(2000)
      .superRefine((v, ctx) => {
        const p = urlProblem(v);
        if (p) ctx.addIssue({ code: 'custom', message: p });
      }),
    /** HMAC key of X-Stormwatch-Signature (at least 16 characters), or the variable holding it. */
    secret: z.string().min(16).max(1024).optional(),
    secret_env: envName.optional(),
    /** Allow private, loopback, link-local and other internal targets (never cloud metadata addresses). */
    allow_private: z.boolean().default(false),
  })
  .superRefine((v, ctx) => {
    if ((v.secret === undefined) === (v.secret_env === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['secret'],
        message: 'give exactly one of secret and secret_env',
      });
    }
  });

export type WebhookConfig = z.infer<typeof webhookConfigSchema>;
