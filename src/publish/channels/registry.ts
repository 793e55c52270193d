/**
 * The channel registry: config `type` → config schema and factory. Adding a channel type is one new
 * folder, one line here, and one section in docs/CHANNELS.md.
 */
import { z } from 'zod';
import type { ChannelDeps } from './config-base.js';
import { emailConfigSchema } from './email/config.js';
import { EmailChannel } from './email/email.js';
import { feedConfigSchema } from './feed/config.js';
import { FeedChannel } from './feed/feed-channel.js';
import { stixFileConfigSchema } from './stix-file/config.js';
import { StixFileChannel } from './stix-file/stix-file.js';
import { syslogConfigSchema } from './syslog/config.js';
import { SyslogChannel } from './syslog/syslog.js';
import type { Channel } from './types.js';
import { webhookConfigSchema } from './webhook/config.js';
import { WebhookChannel } from './webhook/webhook.js';

/** Every channel config, told apart by `type`. */
export const channelConfigSchema = z.discriminatedUnion('type', [
  webhookConfigSchema,
  emailConfigSchema,
  feedConfigSchema,
  syslogConfigSchema,
  stixFileConfigSchema,
]);

export type ChannelConfig = z.infer<typeof channelConfigSchema>;
type Factory<T extends ChannelConfig['type']> = (
  cfg: Extract<ChannelConfig, { type: T }>,
  deps: ChannelDeps,
) => Channel;

const FACTORIES: { [T in ChannelConfig['type']]: Factory<T> } = {
  webhook: (cfg, deps) => new WebhookChannel(cfg, deps),
  email: (cfg, deps) => new EmailChannel(cfg, deps),
  feed: (cfg, deps) => new FeedChannel(cfg, deps),
  syslog: (cfg, deps) => new SyslogChannel(cfg, deps),
  'stix-file': (cfg, deps) => new StixFileChannel(cfg, deps),
};

export const CHANNEL_TYPES = Object.keys(FACTORIES) as Array<ChannelConfig['type']>;

/**
 * Makes the channel a validated (and secret-resolved) config describes. No I/O happens here: connections
 * are opened by the first delivery.
 * @example const ch = createChannel(cfg.channels[0], { logger, clock, version, deliveries })
 */
export function createChannel(cfg: ChannelConfig, deps: ChannelDeps): Channel {
  const make = FACTORIES[cfg.type] as Factory<ChannelConfig['type']>;
  return make(cfg, deps);
}
