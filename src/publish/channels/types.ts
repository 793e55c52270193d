/**
 * What the publish side sends, and the one interface every channel implements.
 *
 * Rules of a Channel (the contract suite, channel.contract.ts, checks them for every implementation):
 * - `deliver` resolves only once the receiver has the message (HTTP 2xx, SMTP accepted, TCP written and
 *   closed, file renamed into place, feed entry committed); otherwise it rejects with a StormwatchError:
 *   SW_DELIVERY_FAILED (details.permanent says whether a retry can help) or SW_TARGET_REFUSED (a target the
 *   policy forbids: permanent).
 * - It rejects promptly when `signal` aborts (the dispatcher's timeout or shutdown), and never starts work
 *   on an already-aborted signal.
 * - Delivery is at least once: the same message may arrive twice, so every delivery carries the message id
 *   (a header, a field, a file name) for the receiver to dedupe on.
 * - A channel keeps no state about messages beyond what its receiver needs: retries, backoff and dead
 *   letters belong to the dispatcher.
 */
import { z } from 'zod';

export const MESSAGE_KINDS = [
  'advisory.published',
  'advisory.updated',
  'advisory.withdrawn',
  'incident.opened',
  'incident.escalated',
  'threat_level.changed',
  'note.published',
] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

export const LEVELS = ['info', 'low', 'medium', 'high'] as const;
export type Level = (typeof LEVELS)[number];

/** Rank of a level for `min_level` comparisons (info lowest). */
export function levelRank(level: Level): number {
  return LEVELS.indexOf(level);
}

/** One thing to publish. The id is stable across retries and restarts, e.g. 'advisory:<id>:v<n>'. */
export interface PublishMessage {
  id: string;
  kind: MessageKind;
  title: string;
  summary: string;
  /** Link to the item on the server (http or https). */
  url: string;
  level?: Level;
  proto?: 'tcp' | 'udp' | 'icmp' | 'icmp6';
  port?: number;
  markdown: string;
  html?: string;
  /** The structured object (advisory, incident, threat level...). */
  json: unknown;
  /** A STIX 2.1 bundle object, passed through as it is. */
  stix?: unknown;
  /** Milliseconds since the epoch. */
  created_at: number;
}

/** Limits of a message the dispatcher accepts (the whole message is also capped in bytes by the dispatcher). */
export const publishMessageSchema = z.strictObject({
  id: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces'),
  kind: z.enum(MESSAGE_KINDS),
  title: z.string().min(1).max(300),
  summary: z.string().max(4000),
  url: z
    .string()
    .max(2000)
    .regex(/^https?:\/\/[^\s]+$/, 'an http(s) URL'),
  level: z.enum(LEVELS).optional(),
  proto: z.enum(['tcp', 'udp', 'icmp', 'icmp6']).optional(),
  port: z.number().int().min(0).max(65535).optional(),
  markdown: z.string(),
  html: z.string().optional(),
  json: z.unknown(),
  stix: z.unknown().optional(),
  created_at: z.number().int().nonnegative(),
});

/** One delivery target. `name` is the config name (unique), `type` the registry key. */
export interface Channel {
  readonly name: string;
  readonly type: string;
  /** See the rules in the module header. */
  deliver(msg: PublishMessage, signal: AbortSignal): Promise<void>;
  /** Releases sockets, pools or handles; deliver is not called after it. */
  close?(): Promise<void>;
}
