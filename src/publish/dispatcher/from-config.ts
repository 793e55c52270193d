/**
 * Wiring: the dispatcher and its channels from a resolved publish config (src/publish/config.ts). The
 * server calls this once at start and `start()`s the dispatcher; the feed channels are returned apart so
 * that the API can serve their documents.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import type { DeliveryStore } from '../../store/delivery-store.js';
import type { ChannelDeps } from '../channels/config-base.js';
import { FeedChannel } from '../channels/feed/feed-channel.js';
import { createChannel } from '../channels/registry.js';
import type { PublishConfig } from '../config.js';
import { Dispatcher } from './dispatcher.js';

export interface Publishing {
  dispatcher: Dispatcher;
  /** Feed channels by name (GET /feeds/<name>.atom and .rss). */
  feeds: ReadonlyMap<string, FeedChannel>;
}

/** @example const pub = createPublishing(resolvePublishConfig(doc), { logger, clock, version, deliveries }) */
export function createPublishing(
  config: Readonly<PublishConfig>,
  deps: { logger: Logger; clock: Clock; version: string; deliveries: DeliveryStore; random?: () => number },
): Publishing {
  const channelDeps: ChannelDeps = {
    logger: deps.logger,
    clock: deps.clock,
    version: deps.version,
    deliveries: deps.deliveries,
  };
  const channels = config.channels.map((c) =>
    createChannel(c, { ...channelDeps, logger: deps.logger.child({ channel: c.name }) }),
  );
  const feeds = new Map<string, FeedChannel>();
  for (const c of channels) if (c instanceof FeedChannel) feeds.set(c.name, c);
  const dispatcher = new Dispatcher({
    store: deps.deliveries,
    channels,
    routes: config.routes,
    logger: deps.logger,
    clock: deps.clock,
    random: deps.random,
    settings: config.dispatch,
  });
  return { dispatcher, feeds };
}
