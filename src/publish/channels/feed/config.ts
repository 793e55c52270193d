/** Config of a feed channel (docs/CHANNELS.md). */
import { z } from 'zod';
import { baseChannelShape } from '../config-base.js';

export const feedConfigSchema = z.strictObject({
  type: z.literal('feed'),
  ...baseChannelShape,
  title: z.string().min(1).max(200).default('Stormwatch'),
  description: z.string().max(1000).default(''),
  /** The server's public URL (the feed's alternate link). */
  link: z
    .string()
    .max(2000)
    .regex(/^https?:\/\/\S+$/, 'an http(s) URL'),
  /** Entries kept and shown (newest first). */
  max_entries: z.number().int().min(1).max(1000).default(50),
});

export type FeedConfig = z.infer<typeof feedConfigSchema>;
