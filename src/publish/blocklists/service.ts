/**
 * Blocklists on demand: reads the window's source totals and the allowlist, builds the list (builder.ts) and
 * renders it, with a small cache so that a feed polled by many firewalls costs one build per minute.
 *
 * Invariants:
 * - A list is made for a whole minute of event time (generated_at = the minute's start); within that minute the
 *   same request gives the same bytes and ETag (a strong validator: SHA-256 of the body).
 * - The window is the last `days` UTC days by the event clock, today included (as GET /api/v1/sources/top).
 * - The cache holds at most `cache_entries` renderings (oldest dropped first); `invalidate()` empties it (an
 *   allowlist change must show at once, not a minute later).
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import type { BlocklistStore } from '../../store/blocklist-store.js';
import type { Store } from '../../store/store.js';
import type { StixCreator } from '../stix/types.js';
import { buildBlocklist } from './builder.js';
import { FORMATS } from './formats/index.js';
import type { FormatName } from './formats/index.js';
import { DEFAULT_SETTINGS } from './types.js';
import type { Blocklist, BlocklistKind, BlocklistSettings } from './types.js';
import { blocklistView } from './views.js';

const DAY = 86_400_000;
const MINUTE = 60_000;

export const DEFAULT_DELISTING =
  'POST /api/v1/blocklists/delist with {"network", "contact", "reason"} (docs/BLOCKLISTS.md)';

export interface BlocklistServiceOptions {
  sources: Pick<Store, 'topSources'>;
  lists: Pick<BlocklistStore, 'listAllowlist'>;
  /** Event time (data window, expiry) and real time (allowlist expiry). */
  eventClock: Clock;
  authClock: Clock;
  settings?: Partial<BlocklistSettings>;
  /** How to ask for delisting, written into every list (a URL or an address). */
  delisting?: string;
  creator?: StixCreator;
  cache_entries?: number;
}

export interface Rendered {
  body: string;
  contentType: string;
  /** Quoted strong ETag. */
  etag: string;
  generated_at: number;
}

export class BlocklistService {
  readonly settings: Readonly<BlocklistSettings>;
  private readonly cache = new Map<string, Rendered>();

  constructor(private readonly opts: BlocklistServiceOptions) {
    this.settings = Object.freeze({ ...DEFAULT_SETTINGS, ...opts.settings });
  }

  /** The list of `kind` over the last `days` days, at most `limit` entries. */
  build(kind: BlocklistKind, days: number, limit: number): Blocklist {
    const now = Math.floor(this.opts.eventClock.now() / MINUTE) * MINUTE;
    const to = Math.floor(now / DAY) * DAY + DAY;
    const from = to - days * DAY;
    return buildBlocklist({
      kind,
      sources: this.opts.sources.topSources(from, to, this.settings.scan_sources),
      settings: this.settings,
      allowlist: this.opts.lists.listAllowlist(),
      now,
      allowNow: this.opts.authClock.now(),
      window: { days, from, to },
      limit,
      delisting: this.opts.delisting ?? DEFAULT_DELISTING,
    });
  }

  /** The list rendered as `format` (or its JSON view), from the cache when made this minute. */
  render(kind: BlocklistKind, format: FormatName | 'json', days: number, limit: number): Rendered {
    const minute = Math.floor(this.opts.eventClock.now() / MINUTE);
    const key = `${kind}|${format}|${days}|${limit}|${minute}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const list = this.build(kind, days, limit);
    const body =
      format === 'json'
        ? JSON.stringify(blocklistView(list))
        : FORMATS[format].render(list, this.opts.creator);
    const rendered: Rendered = {
      body,
      contentType: format === 'json' ? 'application/json; charset=utf-8' : FORMATS[format].contentType,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`,
      generated_at: list.generated_at,
    };
    this.cache.set(key, rendered);
    for (const old of this.cache.keys()) {
      if (this.cache.size <= (this.opts.cache_entries ?? 64)) break;
      this.cache.delete(old);
    }
    return rendered;
  }

  invalidate(): void {
    this.cache.clear();
  }
}
