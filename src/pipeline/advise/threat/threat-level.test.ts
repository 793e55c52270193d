/** Which threat level is in force: the analyst's decision or the detector's suggestion, and why. */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../core/clock.js';
import type { ThreatDecision } from '../../../protocol/advisory-types.js';
import type { ThreatAssessment, ThreatLevel } from '../../../protocol/incident-types.js';
import { tempAdvisoryDb } from '../test-helpers.js';
import { levelInForce, ThreatDesk } from './threat-level.js';

const H = 3_600_000;
const T = Date.parse('2030-01-01T00:00:00Z');
const s = (level: ThreatLevel): ThreatAssessment => ({
  level,
  reason: `detector says ${level}`,
  incidents: [],
});
const decision = (level: ThreatLevel, seen: ThreatLevel, at = T): ThreatDecision => ({
  id: 1,
  level,
  reason: 'analyst reason',
  actor: 'ana',
  at,
  suggestion: s(seen),
});

describe('levelInForce', () => {
  it('uses the suggestion without a decision', () => {
    expect(levelInForce(s('high'), null, T, 24 * H)).toMatchObject({ level: 'high', source: 'detector' });
  });

  it('uses the decision while fresh, also below a suggestion the analyst saw', () => {
    const r = levelInForce(s('high'), decision('elevated', 'high'), T + H, 24 * H);
    expect(r).toMatchObject({ level: 'elevated', source: 'analyst', decision_expired: false });
    expect(r.why).toBe(
      'analyst decision of 2030-01-01 00:00 UTC: analyst reason; the detector suggests high',
    );
    expect(levelInForce(s('normal'), decision('severe', 'normal'), T + H, 24 * H).level).toBe('severe');
  });

  it('lets a worsening suggestion override the decision and says why', () => {
    const r = levelInForce(s('severe'), decision('elevated', 'high'), T + H, 24 * H);
    expect(r).toMatchObject({ level: 'severe', source: 'detector' });
    expect(r.why).toContain("the detector now suggests severe, above the analyst's elevated");
    expect(r.decision?.level).toBe('elevated');
  });

  it('expires an old decision', () => {
    const r = levelInForce(s('normal'), decision('high', 'high'), T + 25 * H, 24 * H);
    expect(r).toMatchObject({ level: 'normal', source: 'detector', decision_expired: true });
    expect(levelInForce(s('normal'), decision('high', 'high'), T + 24 * H, 24 * H).level).toBe('high');
  });
});

describe('ThreatDesk', () => {
  it('records the decision with the suggestion of its time and answers the level in force', () => {
    const db = tempAdvisoryDb();
    const clock = new ManualClock(T);
    let current = s('elevated');
    const desk = new ThreatDesk({ store: db.store, clock, suggestion: () => current, expiryMs: 2 * H });
    const r = desk.decide({ level: 'high', reason: 'exploit confirmed by a partner', actor: 'ana' });
    expect(r.decision).toMatchObject({ level: 'high', at: T, suggestion: { level: 'elevated' } });
    expect(r.current).toMatchObject({ level: 'high', source: 'analyst' });
    current = s('severe');
    expect(desk.current()).toMatchObject({ level: 'severe', source: 'detector' });
    clock.advance(3 * H);
    current = s('normal');
    expect(desk.current()).toMatchObject({ level: 'normal', decision_expired: true });
    desk.decide({ level: 'normal', reason: 'quiet', actor: 'bob' });
    expect(desk.history(10).map((d) => d.actor)).toEqual(['bob', 'ana']);
    db.close();
  });
});
