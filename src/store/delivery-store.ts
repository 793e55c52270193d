/**
 * The durable outbox of the publish side: messages, one delivery row per (message, channel), dead letters,
 * and the entries of the feed channels. Domain methods, not an ORM; the embedded implementation is
 * src/store/sqlite/deliveries.ts.
 *
 * Invariants:
 * - `enqueue` is one transaction and idempotent by message id: a message id seen before adds nothing, even
 *   if other channels are named the second time (a message is routed once).
 * - A delivery is 'pending' (waiting for `next_attempt_at`), 'delivered' or 'dead'. Only pending rows are
 *   returned by `due`; a dead row comes back only through `requeue` (an admin's decision).
 * - The message body is opaque text (JSON made by the dispatcher); the store never parses it.
 * - `attempts` counts the attempts of the current round (reset by requeue); `failures` counts every failed
 *   attempt ever made for the row.
 * - Feed entries are kept per channel, newest `keep` by creation time; re-putting an entry replaces it.
 */

export type DeliveryStatus = 'pending' | 'delivered' | 'dead';

export interface OutboxMessage {
  id: string;
  kind: string;
  created_at: number;
  body: string;
}

export interface DeliveryRow {
  /** The delivery's own id (for admin requeue). */
  id: number;
  message_id: string;
  channel: string;
  status: DeliveryStatus;
  attempts: number;
  failures: number;
  next_attempt_at: number;
  last_error: string | null;
  updated_at: number;
  delivered_at: number | null;
}

export interface DueDelivery extends DeliveryRow {
  body: string;
}

export interface ChannelCounts {
  pending: number;
  delivered: number;
  dead: number;
}

export interface FeedEntryRow {
  message_id: string;
  created_at: number;
  body: string;
}

export interface DeliveryStore {
  /** Records the message and one pending delivery per channel; `created: false` when the id was known. */
  enqueue(
    msg: OutboxMessage,
    channels: readonly string[],
    now: number,
  ): { created: boolean; deliveries: number };
  /** Pending deliveries of a channel whose time has come, oldest first. */
  due(channel: string, now: number, limit: number): DueDelivery[];
  /** Earliest next_attempt_at of a pending delivery (of one channel or all), or null. */
  nextDueAt(channel?: string): number | null;
  markDelivered(id: number, now: number): void;
  /** A failed attempt: back to pending at `nextAttemptAt`, or dead when it is null. */
  markFailed(id: number, error: string, nextAttemptAt: number | null, now: number): void;
  get(id: number): DeliveryRow | null;
  /** Dead letters, newest first. */
  listDead(opts: { channel?: string; limit: number }): DeliveryRow[];
  /** Dead → pending now, attempts reset. Returns how many rows changed. */
  requeue(target: { id: number } | { channel: string }, now: number): number;
  /** Current rows per channel and status. */
  counts(): Record<string, ChannelCounts>;
  /**
   * Deletes delivered rows updated before `before`; messages left without deliveries keep their id (the
   * idempotency record) with an empty body. Returns the delivery rows deleted.
   */
  purgeDelivered(before: number): number;
  putFeedEntry(channel: string, entry: FeedEntryRow, keep: number): void;
  /** Newest first. */
  feedEntries(channel: string, limit: number): FeedEntryRow[];
}
