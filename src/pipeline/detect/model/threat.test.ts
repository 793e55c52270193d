import { describe, expect, it } from 'vitest';
import { assessThreat } from './threat.js';
import type { Incident } from './types.js';

function inc(
  port: number,
  level: Incident['level'],
  extra: Partial<Incident> = {},
  growth: number | null = null,
): Incident {
  return {
    id: `in_tcp_${port}_0`,
    proto: 'tcp',
    port,
    status: 'open',
    severity: 50,
    level,
    confidence: { operators: 12, handshake_share: null, label: 'high' },
    first_seen: 0,
    opened_at: 0,
    updated_at: 0,
    resolved_at: null,
    reopened: 0,
    backfilled: false,
    campaign: null,
    evidence: {
      effective_operators: 12,
      growth: growth === null ? null : { slope_per_hour: Math.LN2 / growth, doubling_hours: growth },
    } as Incident['evidence'],
    history: [],
    ...extra,
  };
}

describe('suggested threat level', () => {
  it('is normal without open incidents, and ignores candidates, backfill and resolved ones', () => {
    expect(assessThreat([]).level).toBe('normal');
    expect(
      assessThreat([
        inc(1, 'high', { status: 'candidate' }),
        inc(2, 'high', { backfilled: true }),
        inc(3, 'high', { status: 'resolved' }),
      ]).level,
    ).toBe('normal');
  });

  it('rises with the open incidents, and says why', () => {
    expect(assessThreat([inc(1, 'low'), inc(2, 'low')]).level).toBe('normal');
    expect(assessThreat([inc(1, 'low'), inc(2, 'low'), inc(3, 'low')]).level).toBe('elevated');
    expect(assessThreat([inc(445, 'medium')])).toMatchObject({
      level: 'elevated',
      incidents: ['in_tcp_445_0'],
    });
    const high = assessThreat([inc(1025, 'high'), inc(445, 'medium')]);
    expect(high.level).toBe('high');
    expect(high.reason).toMatch(/tcp\/1025/);
    expect(assessThreat([inc(1, 'high'), inc(2, 'high'), inc(3, 'high')]).level).toBe('severe');
    expect(assessThreat([inc(1025, 'high', {}, 4)]).level).toBe('severe');
    expect(assessThreat([inc(1025, 'high', {}, 48)]).level).toBe('high');
  });
});
