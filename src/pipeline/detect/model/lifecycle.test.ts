import { describe, expect, it } from 'vitest';
import { resolveEngineConfig } from './config.js';
import { applyFiring, tickIncident } from './lifecycle.js';
import type { Firing } from './lifecycle.js';
import type { FiringEvidence, Incident, Notification } from './types.js';

const cfg = resolveEngineConfig();
const H = 3_600_000;
const T0 = Date.UTC(2026, 3, 1);
const KEY = { proto: 'tcp' as const, port: 1025 };

function firing(severity: number, at = T0, backfill = false): Firing {
  const evidence = {
    granularity: '1h',
    bucket: at - H,
    test: 'spike',
    window: 1,
    metric: 'sources',
    observed: 50,
    expected: 2,
    interval: [0, 6],
    p_value: 1e-12,
    alpha: 1e-6,
    fold: 25,
    sources: 50,
    sensors: 20,
    expected_sensors: 2,
    operators: 12,
    effective_operators: 10,
    max_operator_share: 0.2,
    events: { observed: 200, expected: 8 },
    handshake_share: null,
    growth: null,
    novelty: false,
    gates: [],
    top_countries: [],
    top_networks: [],
  } satisfies FiringEvidence;
  return { severity, evidence, backfill, handshakeShare: null };
}

function run(steps: Array<{ at: number; fire?: number; backfill?: boolean }>): {
  inc: Incident;
  statuses: string[];
  kinds: string[];
} {
  let inc: Incident | undefined;
  const statuses: string[] = [];
  const out: Notification[] = [];
  for (const s of steps) {
    if (s.fire !== undefined) inc = applyFiring(cfg, KEY, inc, firing(s.fire, s.at, s.backfill), s.at, out);
    else if (inc) tickIncident(cfg, inc, s.at, out);
    if (inc && statuses[statuses.length - 1] !== inc.status) statuses.push(inc.status);
  }
  return { inc: inc!, statuses, kinds: out.map((n) => n.kind) };
}

describe('incident lifecycle', () => {
  it('a weak firing is a candidate; a second firing at low or above opens it', () => {
    const r = run([
      { at: T0, fire: 10 },
      { at: T0 + H, fire: 30 },
    ]);
    expect(r.statuses).toEqual(['candidate', 'open']);
    expect(r.kinds).toEqual(['opened']);
  });

  it('a candidate that does not fire again expires without a notification', () => {
    const r = run([
      { at: T0, fire: 10 },
      { at: T0 + cfg.candidate_expire_ms, fire: undefined },
    ]);
    expect(r.statuses).toEqual(['candidate', 'resolved']);
    expect(r.kinds).toEqual([]);
  });

  it('escalates when the level rises, and notifies once per rise', () => {
    const r = run([
      { at: T0, fire: 30 },
      { at: T0 + H, fire: 50 },
      { at: T0 + 2 * H, fire: 52 },
      { at: T0 + 3 * H, fire: 80 },
    ]);
    expect(r.statuses).toEqual(['open', 'escalated']);
    expect(r.kinds).toEqual(['opened', 'escalated', 'escalated']);
    expect(r.inc.level).toBe('high');
  });

  it('cools without firings, returns to open when it fires while cooling, then resolves and notifies', () => {
    const r = run([
      { at: T0, fire: 50 },
      { at: T0 + cfg.cool_after_ms },
      { at: T0 + cfg.cool_after_ms + H, fire: 40 },
      { at: T0 + cfg.cool_after_ms + H + cfg.cool_after_ms },
      { at: T0 + cfg.cool_after_ms + H + cfg.resolve_after_ms },
    ]);
    expect(r.statuses).toEqual(['open', 'cooling', 'open', 'cooling', 'resolved']);
    expect(r.kinds).toEqual(['opened', 'resolved']);
    expect(r.inc.resolved_at).not.toBeNull();
  });

  it('re-opens a resolved incident that fires within the re-open window, and starts a new one after it', () => {
    const resolvedAt = T0 + cfg.resolve_after_ms;
    const r = run([
      { at: T0, fire: 50 },
      { at: T0 + cfg.cool_after_ms },
      { at: resolvedAt },
      { at: resolvedAt + H, fire: 60 },
    ]);
    expect(r.statuses).toEqual(['open', 'cooling', 'resolved', 'open']);
    expect(r.inc.reopened).toBe(1);
    expect(r.kinds).toEqual(['opened', 'resolved', 'reopened']);
    const late = run([
      { at: T0, fire: 50 },
      { at: T0 + cfg.cool_after_ms },
      { at: resolvedAt },
      { at: resolvedAt + cfg.reopen_within_ms + H, fire: 60 },
    ]);
    expect(late.inc.reopened).toBe(0);
    expect(late.inc.id).not.toBe(r.inc.id);
  });

  it('accepts an incident open a week at a stable level as the new normal', () => {
    const steps: Array<{ at: number; fire?: number }> = [];
    for (let h = 0; h <= 7 * 24; h += 1) steps.push({ at: T0 + h * H, fire: 50 });
    steps.push({ at: T0 + 7 * 24 * H + H });
    const r = run(steps);
    expect(r.statuses).toEqual(['open', 'accepted']);
  });

  it('records backfilled incidents without notifying', () => {
    const r = run([
      { at: T0, fire: 80, backfill: true },
      { at: T0 + H, fire: 90, backfill: true },
    ]);
    expect(r.inc.backfilled).toBe(true);
    expect(r.kinds).toEqual([]);
  });
});
