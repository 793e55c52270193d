/**
 * Alert lifecycle v0: one open alert per key (proto, port), across granularities.
 *
 * Invariants:
 * - A firing on a key without an open alert opens one with a stable id `al_${proto}_${port}_${bucket}`
 *   (the bucket that opened it); a firing on a key with an open alert updates that alert instead:
 *   severity = the maximum so far, evidence = that of the strongest firing, updated_at = now.
 * - An open alert whose updated_at (its last firing) is resolve_after_ms or more in the past is resolved.
 * - Re-applying the same firing is harmless (idempotent), so re-evaluating a bucket after a crash between
 *   saving the alert and saving the detector's position changes nothing.
 */
import type { Logger } from 'pino';
import type { AlertRecord, Store } from '../../store/store.js';
import type { PortBucketRow } from '../../store/store.js';
import { levelOf } from './spike.js';
import type { SpikeVerdict } from './spike.js';

type AlertStore = Pick<Store, 'openAlertFor' | 'saveAlert' | 'listAlerts'>;

/** Opens or updates the key's alert; returns it as saved. */
export function recordFiring(
  store: AlertStore,
  row: PortBucketRow,
  verdict: SpikeVerdict,
  now: number,
  log: Logger,
): AlertRecord {
  const open = store.openAlertFor(row.proto, row.port);
  if (!open) {
    const alert: AlertRecord = {
      id: `al_${row.proto}_${row.port}_${row.bucket}`,
      proto: row.proto,
      port: row.port,
      severity: verdict.severity,
      level: verdict.level,
      status: 'open',
      opened_at: now,
      updated_at: now,
      evidence: verdict.evidence,
    };
    store.saveAlert(alert);
    log.info({ alert: alert.id, level: alert.level, reason: verdict.evidence.reason }, 'alert opened');
    return alert;
  }
  const stronger = verdict.severity >= open.severity;
  const severity = Math.max(open.severity, verdict.severity);
  const alert: AlertRecord = {
    ...open,
    severity,
    level: levelOf(severity),
    updated_at: Math.max(open.updated_at, now),
    evidence: stronger ? verdict.evidence : open.evidence,
  };
  store.saveAlert(alert);
  if (alert.level !== open.level) {
    log.info({ alert: alert.id, from: open.level, to: alert.level }, 'alert level raised');
  }
  return alert;
}

/** Resolves open alerts that have not fired for resolveAfterMs; returns how many. */
export function resolveStale(store: AlertStore, now: number, resolveAfterMs: number, log: Logger): number {
  let resolved = 0;
  for (const alert of store.listAlerts(100_000, 'open')) {
    if (alert.status !== 'open' || now - alert.updated_at < resolveAfterMs) continue;
    store.saveAlert({ ...alert, status: 'resolved', updated_at: now });
    log.info({ alert: alert.id }, 'alert resolved');
    resolved++;
  }
  return resolved;
}
