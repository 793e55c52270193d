/**
 * Routing rules as data: which channels a message goes to.
 *
 * Rules:
 * - A route matches when every condition it states holds: `kinds` contains the message kind; the message
 *   has a level at or above `min_level` (a message without a level fails a min_level condition); the
 *   message's `proto/port` is in `ports` (a message without a port fails a ports condition). A route with no
 *   conditions matches every message.
 * - A message goes to the union of the channels of all matching routes, each channel once, in the order of
 *   first mention (routes in config order).
 */
import { levelRank } from '../channels/types.js';
import type { Level, MessageKind, PublishMessage } from '../channels/types.js';

export interface RouteMatch {
  kinds?: readonly MessageKind[];
  min_level?: Level;
  /** 'tcp/1025' style keys. */
  ports?: readonly string[];
}

export interface Route {
  name: string;
  match?: RouteMatch;
  channels: readonly string[];
}

export function routeMatches(match: RouteMatch | undefined, msg: PublishMessage): boolean {
  if (!match) return true;
  if (match.kinds && !match.kinds.includes(msg.kind)) return false;
  if (match.min_level !== undefined) {
    if (msg.level === undefined || levelRank(msg.level) < levelRank(match.min_level)) return false;
  }
  if (match.ports) {
    if (msg.proto === undefined || msg.port === undefined) return false;
    if (!match.ports.includes(`${msg.proto}/${msg.port}`)) return false;
  }
  return true;
}

/** @example channelsFor([{ name: 'all', channels: ['feed'] }], msg) // ['feed'] */
export function channelsFor(routes: readonly Route[], msg: PublishMessage): string[] {
  const out = new Set<string>();
  for (const r of routes) {
    if (!routeMatches(r.match, msg)) continue;
    for (const c of r.channels) out.add(c);
  }
  return [...out];
}
