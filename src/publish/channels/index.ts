/** The publish channels: the interface, the registry and what the API needs of single channels. */
export { MESSAGE_KINDS, LEVELS, publishMessageSchema } from './types.js';
export type { Channel, Level, MessageKind, PublishMessage } from './types.js';
export { channelConfigSchema, CHANNEL_TYPES, createChannel } from './registry.js';
export type { ChannelConfig } from './registry.js';
export type { ChannelDeps } from './config-base.js';
export { isPermanentFailure } from './failure.js';
export { FeedChannel } from './feed/feed-channel.js';
export { renderAtom, renderRss } from './feed/render.js';
export type { FeedEntry, FeedMeta } from './feed/render.js';
export { signatureHeader, verifySignature } from './webhook/signature.js';
