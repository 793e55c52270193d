/**
 * The threat level in force: the detector suggests (src/pipeline/detect/model/threat.ts), an analyst decides
 * (level, reason, who, when; every decision kept).
 *
 * Rules (docs/ADVISORIES.md "Threat level"), in order:
 * 1. No decision yet → the suggestion is in force.
 * 2. The latest decision is older than the expiry → the suggestion is in force; the decision is shown as expired.
 * 3. The suggestion is now higher than the decision AND higher than what the detector suggested when the analyst
 *    decided → the suggestion is in force (the situation worsened since the analyst looked).
 * 4. Otherwise the decision is in force, also below the suggestion when the analyst saw that suggestion and
 *    deliberately decided lower (e.g. a known research scan).
 * Both are always returned, with `why` saying which is in force and why.
 */
import type { Clock } from '../../../core/clock.js';
import type { ThreatDecision, ThreatLevelInForce } from '../../../protocol/advisory-types.js';
import type { ThreatAssessment, ThreatLevel } from '../../../protocol/incident-types.js';
import type { AdvisoryStore } from '../../../store/advisory-store.js';

export const THREAT_LEVELS: readonly ThreatLevel[] = ['normal', 'elevated', 'high', 'severe'];
export const DEFAULT_DECISION_EXPIRY_MS = 24 * 3_600_000;
const rank = (l: ThreatLevel): number => THREAT_LEVELS.indexOf(l);
const when = (ms: number): string => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/**
 * @example levelInForce(assessThreat(active), store.listThreatDecisions(1)[0] ?? null, Date.now(), 86_400_000)
 */
export function levelInForce(
  suggestion: ThreatAssessment,
  decision: ThreatDecision | null,
  now: number,
  expiryMs: number,
): ThreatLevelInForce {
  const base = { suggestion, decision, decision_expired: false };
  if (!decision)
    return {
      ...base,
      level: suggestion.level,
      source: 'detector',
      why: "no analyst decision yet: the detector's suggestion applies",
    };
  if (now - decision.at > expiryMs)
    return {
      ...base,
      decision_expired: true,
      level: suggestion.level,
      source: 'detector',
      why: `the analyst's decision of ${when(decision.at)} is older than ${expiryMs / 3_600_000} hours: the detector's suggestion applies`,
    };
  const s = rank(suggestion.level);
  if (s > rank(decision.level) && s > rank(decision.suggestion.level))
    return {
      ...base,
      level: suggestion.level,
      source: 'detector',
      why:
        `the detector now suggests ${suggestion.level}, above the analyst's ${decision.level} of ${when(decision.at)} ` +
        `(taken when it suggested ${decision.suggestion.level}): the higher level applies until an analyst decides again`,
    };
  const differs = suggestion.level !== decision.level ? `; the detector suggests ${suggestion.level}` : '';
  return {
    ...base,
    level: decision.level,
    source: 'analyst',
    why: `analyst decision of ${when(decision.at)}: ${decision.reason}${differs}`,
  };
}

export interface ThreatDeskOptions {
  store: AdvisoryStore;
  /** Real time. */
  clock: Clock;
  /** The detector's current suggestion (live detector, or assessThreat over the stored active incidents). */
  suggestion: () => ThreatAssessment;
  expiryMs?: number;
  /** Called after an analyst's decision (the channels); a throwing hook does not undo the decision. */
  onDecision?: (decision: ThreatDecision, current: ThreatLevelInForce) => void;
}

/** Records decisions and answers the level in force. */
export class ThreatDesk {
  private readonly expiryMs: number;

  constructor(private readonly o: ThreatDeskOptions) {
    this.expiryMs = o.expiryMs ?? DEFAULT_DECISION_EXPIRY_MS;
  }

  decide(d: { level: ThreatLevel; reason: string; actor: string }): {
    decision: ThreatDecision;
    current: ThreatLevelInForce;
  } {
    const decision = this.o.store.addThreatDecision({
      ...d,
      at: this.o.clock.now(),
      suggestion: this.o.suggestion(),
    });
    const current = this.current();
    try {
      this.o.onDecision?.(decision, current);
    } catch {
      // The hook logs its own failures (src/publish/publisher.ts); the decision stands.
    }
    return { decision, current };
  }

  current(): ThreatLevelInForce {
    return levelInForce(
      this.o.suggestion(),
      this.o.store.listThreatDecisions(1)[0] ?? null,
      this.o.clock.now(),
      this.expiryMs,
    );
  }

  history(limit: number): ThreatDecision[] {
    return this.o.store.listThreatDecisions(limit);
  }
}
