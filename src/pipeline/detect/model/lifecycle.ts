/**
 * Incident lifecycle (DETECTION.md): one incident per key across granularities.
 *
 *   candidate ──(fires at low or above)──▶ open ──(level rises)──▶ escalated
 *   open/escalated ──(no firing for cool_after)──▶ cooling ──(fires)──▶ open/escalated
 *   cooling ──(no firing for resolve_after)──▶ resolved ──(fires within reopen_within)──▶ open (re-opened)
 *   open/escalated ──(accept_after at a stable level)──▶ accepted (the new normal; the baseline is re-seeded)
 *   candidate ──(no firing for candidate_expire)──▶ resolved (never notified)
 *
 * Invariants:
 * - Times are the bucket clock (the end of the bucket being closed), so a replay gives the same lifecycle.
 * - Severity is the maximum so far; the evidence is that of the strongest firing; the level follows severity.
 * - Notifications: opened, escalated (the level rose), reopened, resolved (only for incidents that were
 *   notified as opened); none for backfilled incidents.
 */
import type { Protocol } from '../../../core/event.js';
import type { EngineConfig } from './config.js';
import { LEVEL_RANK, confidenceOf, levelOf } from './severity.js';
import type { FiringEvidence, Incident, IncidentStatus, Notification } from './types.js';

export interface Firing {
  severity: number;
  evidence: FiringEvidence;
  backfill: boolean;
  handshakeShare: number | null;
}

const ACTIVE: ReadonlySet<IncidentStatus> = new Set(['candidate', 'open', 'escalated', 'cooling']);
export const isActive = (i: Incident): boolean => ACTIVE.has(i.status);

function note(i: Incident, at: number, text: string): void {
  i.history.push({ at, status: i.status, level: i.level, note: text });
  if (i.history.length > 50) i.history.splice(1, i.history.length - 50);
}

/** Applies a firing to the key's incident (active or recently resolved) or opens a new one. */
export function applyFiring(
  cfg: EngineConfig,
  key: { proto: Protocol; port: number },
  prior: Incident | undefined,
  f: Firing,
  now: number,
  out: Notification[],
): Incident {
  const ev = f.evidence;
  const level = levelOf(f.severity);
  const notify = (kind: Notification['kind'], i: Incident): void => {
    if (!i.backfilled) out.push({ kind, incident: i });
  };
  const reopen =
    prior !== undefined &&
    prior.status === 'resolved' &&
    prior.resolved_at !== null &&
    now - prior.resolved_at <= cfg.reopen_within_ms &&
    prior.history.some((h) => h.status !== 'candidate');
  if (prior === undefined || (!isActive(prior) && !reopen)) {
    const i: Incident = {
      id: `in_${key.proto}_${key.port}_${ev.bucket}`,
      proto: key.proto,
      port: key.port,
      status: level === 'info' ? 'candidate' : 'open',
      severity: f.severity,
      level,
      confidence: confidenceOf(ev.operators, f.handshakeShare),
      first_seen: ev.bucket,
      opened_at: now,
      updated_at: now,
      resolved_at: null,
      reopened: 0,
      backfilled: f.backfill,
      campaign: null,
      evidence: ev,
      history: [],
    };
    note(i, now, `${ev.test} on ${ev.window}×${ev.granularity}: ${ev.observed} vs ${ev.expected.toFixed(2)}`);
    if (i.status === 'open') notify('opened', i);
    return i;
  }
  const i = prior;
  const stronger = f.severity >= i.severity;
  const before = i.level;
  const wasOpen = i.status !== 'candidate';
  i.severity = Math.max(i.severity, f.severity);
  i.level = levelOf(i.severity);
  if (stronger) {
    i.evidence = ev;
    i.confidence = confidenceOf(ev.operators, f.handshakeShare);
  }
  i.updated_at = now;
  if (!f.backfill) i.backfilled = false;
  if (i.status === 'resolved') {
    i.status = 'open';
    i.resolved_at = null;
    i.reopened++;
    note(i, now, 're-fired within the re-open window');
    notify('reopened', i);
    return i;
  }
  if (i.status === 'candidate') {
    if (i.level !== 'info') {
      i.status = 'open';
      note(i, now, 'confirmed');
      notify('opened', i);
    }
    return i;
  }
  const openedLevel = openingLevel(i);
  if (LEVEL_RANK[i.level] > LEVEL_RANK[openedLevel]) {
    if (i.status !== 'escalated' || LEVEL_RANK[i.level] > LEVEL_RANK[before]) {
      i.status = 'escalated';
      note(i, now, `level ${before} → ${i.level}`);
      if (wasOpen) notify('escalated', i);
    }
  } else if (i.status === 'cooling') {
    i.status = 'open';
    note(i, now, 'fired again while cooling');
  }
  return i;
}

/** The level at which the incident was first notified (opened). */
function openingLevel(i: Incident): Incident['level'] {
  const opened = i.history.find((h) => h.status === 'open');
  return opened?.level ?? i.level;
}

/** Time-driven transitions; returns the incidents that changed and whether each was accepted (re-seed). */
export function tickIncident(
  cfg: EngineConfig,
  i: Incident,
  now: number,
  out: Notification[],
): 'unchanged' | 'changed' | 'accepted' {
  const quiet = now - i.updated_at;
  if (i.status === 'candidate') {
    if (quiet < cfg.candidate_expire_ms) return 'unchanged';
    i.status = 'resolved';
    i.resolved_at = now;
    note(i, now, 'candidate expired');
    return 'changed';
  }
  if (i.status === 'open' || i.status === 'escalated') {
    if (now - i.opened_at >= cfg.accept_after_ms && stableFor(i, now, cfg.accept_after_ms / 2)) {
      i.status = 'accepted';
      i.resolved_at = now;
      note(i, now, 'open a week at a stable level: accepted as the new normal');
      return 'accepted';
    }
    if (quiet >= cfg.cool_after_ms) {
      i.status = 'cooling';
      note(i, now, 'no firing');
      return 'changed';
    }
    return 'unchanged';
  }
  if (i.status === 'cooling' && quiet >= cfg.resolve_after_ms) {
    i.status = 'resolved';
    i.resolved_at = now;
    note(i, now, 'quiet');
    if (!i.backfilled) out.push({ kind: 'resolved', incident: i });
    return 'changed';
  }
  return 'unchanged';
}

function stableFor(i: Incident, now: number, span: number): boolean {
  return !i.history.some((h) => h.at > now - span && h.note.startsWith('level '));
}
