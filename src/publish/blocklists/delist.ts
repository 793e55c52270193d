/**
 * The delisting path's input rules: what a public delisting request, an admin decision and an admin allowlist
 * entry must look like, and the limits that keep the public endpoint from filling the database.
 *
 * Invariants:
 * - Networks are canonicalised (cidr.ts) and refused when: not an address or CIDR, host bits set, wider than
 *   /16 (IPv4) or /32 (IPv6) for a public request (an admin may allowlist wider ranges), or never listed anyway.
 * - Text fields refuse control characters (other than tab and line feed in the free text) and are bounded.
 * - The limiter counts per client in fixed windows and remembers at most `max_clients` clients (the oldest
 *   are forgotten first), so its memory is bounded whatever the traffic.
 */
import { z } from 'zod';
import { formatCidr, parseCidr } from './cidr.js';
import { isNeverListed } from './never-list.js';

// eslint-disable-next-line no-control-regex -- the point is to refuse control characters
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/;
// eslint-disable-next-line no-control-regex -- the same, and no line breaks at all
const CONTROL_OR_BREAK = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

const text = (min: number, max: number, breaks: boolean) =>
  z
    .string()
    .trim()
    .min(min, `at least ${min} characters`)
    .max(max, `at most ${max} characters`)
    .refine((s) => !(breaks ? CONTROL : CONTROL_OR_BREAK).test(s), 'control characters are not allowed');

/** A CIDR or address as canonical CIDR text; `public` adds the limits of a public delisting request. */
export const cidrText = (isPublic: boolean) =>
  z
    .string()
    .max(49, 'at most 49 characters')
    .transform((s, ctx) => {
      const n = parseCidr(s.trim());
      if (n === null) {
        ctx.addIssue({
          code: 'custom',
          message: 'expected an IPv4 or IPv6 address or CIDR without host bits',
        });
        return z.NEVER;
      }
      if (isPublic && n.prefix < (n.family === 4 ? 16 : 32)) {
        ctx.addIssue({ code: 'custom', message: 'at most a /16 (IPv4) or /32 (IPv6) per request' });
        return z.NEVER;
      }
      if (isPublic && isNeverListed(n)) {
        ctx.addIssue({ code: 'custom', message: 'a private or special-purpose range is never listed' });
        return z.NEVER;
      }
      return formatCidr(n);
    });

/** POST /api/v1/blocklists/delist */
export const delistRequestBody = z.strictObject({
  network: cidrText(true),
  contact: text(3, 200, false),
  reason: text(10, 2000, true),
});

/** POST /api/v1/admin/delist-requests/{id} */
export const delistDecisionBody = z.strictObject({
  decision: z.enum(['approve', 'reject']),
  actor: text(1, 100, false),
  note: text(1, 2000, true).optional(),
  /** Approvals: days until the allowlist entry expires (default 90); null never. */
  expires_days: z.number().int().min(1).max(3650).nullable().optional(),
});

/** POST /api/v1/admin/allowlist */
export const allowlistBody = z.strictObject({
  cidr: cidrText(false),
  reason: text(3, 2000, true),
  actor: text(1, 100, false),
  /** Days until the entry expires; absent or null: never. */
  expires_days: z.number().int().min(1).max(3650).nullable().optional(),
});

export interface DelistLimits {
  /** Requests one client may make per window. */
  per_client: number;
  window_ms: number;
  /** Pending requests at most; past that new ones are refused until an admin decides some. */
  max_pending: number;
  max_clients: number;
}

export const DEFAULT_DELIST_LIMITS: Readonly<DelistLimits> = Object.freeze({
  per_client: 5,
  window_ms: 3_600_000,
  max_pending: 1000,
  max_clients: 10_000,
});

/** Fixed-window request counts per client, bounded in memory. */
export class DelistLimiter {
  private readonly seen = new Map<string, { start: number; count: number }>();

  constructor(private readonly limits: DelistLimits = DEFAULT_DELIST_LIMITS) {}

  /** Counts a request of `client` at `now`; the whole seconds to wait when over the limit, else 0. */
  take(client: string, now: number): number {
    const w = this.seen.get(client);
    if (w && now - w.start < this.limits.window_ms) {
      if (w.count >= this.limits.per_client)
        return Math.max(1, Math.ceil((w.start + this.limits.window_ms - now) / 1000));
      w.count++;
      return 0;
    }
    this.seen.delete(client);
    this.seen.set(client, { start: now, count: 1 });
    for (const old of this.seen.keys()) {
      if (this.seen.size <= this.limits.max_clients) break;
      this.seen.delete(old);
    }
    return 0;
  }

  get maxPending(): number {
    return this.limits.max_pending;
  }
}
