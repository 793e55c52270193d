/** The one root logger, made at the entry point and passed down (never imported as a global elsewhere). */
import { pino } from 'pino';
import type { Logger } from 'pino';

export function makeRootLogger(level: string = process.env.STORMWATCH_LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { app: 'stormwatch' } }, pino.destination(2));
}
