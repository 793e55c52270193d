/** The publish dispatcher: routing, outbox worker, backoff and stats. */
export { Dispatcher } from './dispatcher.js';
export type { DispatcherOptions } from './dispatcher.js';
export { DEFAULT_DISPATCH } from './settings.js';
export type { DispatchSettings } from './settings.js';
export { channelsFor, routeMatches } from './routes.js';
export type { Route, RouteMatch } from './routes.js';
export { backoffDelay } from './backoff.js';
export type { ChannelStats, DispatcherStats } from './stats.js';
export { createPublishing } from './from-config.js';
export type { Publishing } from './from-config.js';
