/**
 * Config pieces every channel type shares, and what a channel factory receives.
 *
 * Invariants: option names carry their unit; a secret is given either inline or as the name of an
 * environment variable (`*_env`), resolved once at start by resolvePublishConfig (src/publish/config.ts).
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Clock } from '../../core/clock.js';
import type { DeliveryStore } from '../../store/delivery-store.js';
import type { LookupAll } from './webhook/target.js';

export const channelName = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_-]{0,63}$/,
    'lower-case letters, digits, - and _, at most 64, starting with a letter or digit',
  );

export const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'an environment variable name');

/** The fields every channel config has, besides its `type` literal. */
export const baseChannelShape = {
  name: channelName,
  /** Longest one delivery may take (connect, send, answer). */
  timeout_ms: z.number().int().min(100).max(600_000).default(10_000),
};

/** What a factory gets besides its own config. */
export interface ChannelDeps {
  logger: Logger;
  clock: Clock;
  /** The Stormwatch version, for User-Agent and CEF headers. */
  version: string;
  /** The outbox (the feed channel keeps its entries there). */
  deliveries: DeliveryStore;
  /** Name resolution of the webhook channel (default dns.lookup); tests pass a fixed table. */
  lookupAll?: LookupAll;
}
