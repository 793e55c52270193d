/**
 * Typed delivery failures shared by the channels, and the helpers that tie a delivery to an abort signal.
 *
 * Invariants:
 * - Every rejection of Channel.deliver is a StormwatchError with `details.channel` and `details.permanent`.
 * - Permanent means "retrying the same message to the same target cannot succeed" (a 4xx answer, a refused
 *   target, a missing bundle directory is NOT permanent: an admin may create it).
 */
import { isStormwatchError, makeError } from '../../core/errors.js';
import type { StormwatchError } from '../../core/errors.js';

export interface FailureDetails {
  channel: string;
  permanent: boolean;
  /** A floor for the next attempt, from the receiver (HTTP Retry-After). */
  retry_after_ms?: number;
  status?: number;
}

/** @example throw deliveryFailed('soc', 'HTTP 500 from receiver', { permanent: false, status: 500 }) */
export function deliveryFailed(
  channel: string,
  message: string,
  extra: Omit<FailureDetails, 'channel'>,
  cause?: unknown,
): StormwatchError {
  return makeError('SW_DELIVERY_FAILED', `channel ${channel}: ${message}`, {
    cause,
    details: { channel, ...extra },
  });
}

export function targetRefused(channel: string, message: string): StormwatchError {
  return makeError('SW_TARGET_REFUSED', `channel ${channel}: ${message}`, {
    details: { channel, permanent: true },
  });
}

/** True when the error says a retry cannot help (the dispatcher dead-letters at once). */
export function isPermanentFailure(err: unknown): boolean {
  if (!isStormwatchError(err)) return false;
  if (err.code === 'SW_TARGET_REFUSED') return true;
  const d = err.details as Partial<FailureDetails> | undefined;
  return d?.permanent === true;
}

/** The receiver's requested delay, if any. */
export function retryAfterMs(err: unknown): number | undefined {
  if (!isStormwatchError(err)) return undefined;
  const v = (err.details as Partial<FailureDetails> | undefined)?.retry_after_ms;
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
}

/** The typed error for an aborted or timed-out delivery (retryable). */
export function abortedError(channel: string, signal: AbortSignal): StormwatchError {
  const reason: unknown = signal.reason;
  const why = reason instanceof Error && reason.name === 'TimeoutError' ? 'timed out' : 'aborted';
  return deliveryFailed(channel, `delivery ${why}`, { permanent: false }, reason);
}

/** Throws the typed abort error when the signal already fired. */
export function throwIfAborted(channel: string, signal: AbortSignal): void {
  if (signal.aborted) throw abortedError(channel, signal);
}

/** Settles with `p`, or rejects with the typed abort error as soon as the signal fires (p is left to run). */
export function untilAborted<T>(channel: string, p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortedError(channel, signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortedError(channel, signal));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** The caller's signal combined with the channel's own timeout. */
export function withTimeout(signal: AbortSignal, timeoutMs: number): AbortSignal {
  return AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
}

/** Short, single-line text of an error for logs and the dead-letter record. */
export function errorText(err: unknown, max = 500): string {
  const text = err instanceof Error ? err.message : String(err);
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
