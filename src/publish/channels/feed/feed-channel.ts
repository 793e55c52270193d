/**
 * The feed channel: "delivering" a message commits it as an entry of this feed in the outbox database
 * (DeliveryStore.putFeedEntry), so the feed survives restarts; the API serves `render('atom' | 'rss')`.
 *
 * Invariants:
 * - An entry is keyed by message id: a repeated delivery replaces it (no duplicate entries).
 * - The newest `max_entries` by creation time are kept; older ones are deleted in the same transaction.
 * - Entries store what the document shows (FeedEntry), not the structured object or the STIX bundle.
 */
import type { DeliveryStore } from '../../../store/delivery-store.js';
import type { ChannelDeps } from '../config-base.js';
import { deliveryFailed, throwIfAborted } from '../failure.js';
import type { Channel, PublishMessage } from '../types.js';
import type { FeedConfig } from './config.js';
import { renderAtom, renderRss } from './render.js';
import type { FeedEntry } from './render.js';

export class FeedChannel implements Channel {
  readonly type = 'feed';
  readonly name: string;
  private readonly store: DeliveryStore;

  constructor(
    private readonly cfg: FeedConfig,
    deps: ChannelDeps,
  ) {
    this.name = cfg.name;
    this.store = deps.deliveries;
  }

  deliver(msg: PublishMessage, signal: AbortSignal): Promise<void> {
    try {
      this.put(msg, signal);
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private put(msg: PublishMessage, signal: AbortSignal): void {
    throwIfAborted(this.name, signal);
    const entry: FeedEntry = {
      id: msg.id,
      kind: msg.kind,
      title: msg.title,
      summary: msg.summary,
      url: msg.url,
      level: msg.level,
      proto: msg.proto,
      port: msg.port,
      html: msg.html,
      created_at: msg.created_at,
    };
    const row = { message_id: msg.id, created_at: msg.created_at, body: JSON.stringify(entry) };
    try {
      this.store.putFeedEntry(this.name, row, this.cfg.max_entries);
    } catch (err) {
      throw deliveryFailed(
        this.name,
        `feed entry not stored: ${(err as Error).message}`,
        { permanent: false },
        err,
      );
    }
  }

  /** The stored entries, newest first (unreadable rows are skipped). */
  entries(): FeedEntry[] {
    const out: FeedEntry[] = [];
    for (const row of this.store.feedEntries(this.name, this.cfg.max_entries)) {
      try {
        out.push(JSON.parse(row.body) as FeedEntry);
      } catch {
        // A damaged row must not take the whole feed down; the next delivery of that id replaces it.
      }
    }
    return out;
  }

  /** The feed document; `selfUrl` is where the API serves it. */
  render(format: 'atom' | 'rss', selfUrl?: string): string {
    const meta = {
      title: this.cfg.title,
      link: this.cfg.link,
      description: this.cfg.description,
      self_url: selfUrl,
    };
    return format === 'atom' ? renderAtom(this.entries(), meta) : renderRss(this.entries(), meta);
  }
}
