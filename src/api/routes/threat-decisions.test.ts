/** The threat-level decision routes on a bare Fastify app with a real SQLite advisory store. */
import Fastify from 'fastify';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.js';
import { ThreatDesk } from '../../pipeline/advise/threat/threat-level.js';
import { tempAdvisoryDb } from '../../pipeline/advise/test-helpers.js';
import type { TempAdvisoryDb } from '../../pipeline/advise/test-helpers.js';
import type { ThreatLevelHistoryResponse, ThreatLevelInForceView } from '../../protocol/advisory-types.js';
import type { ErrorBody } from '../../protocol/api-types.js';
import type { ThreatAssessment } from '../../protocol/incident-types.js';
import { installErrorHandling } from '../errors.js';
import { threatDecisionRoutes } from './threat-decisions.js';

const TOKEN = 'swa_test-admin-token-0123456789';
let t: TempAdvisoryDb;
let app: FastifyInstance;
let suggestion: ThreatAssessment;
const clock = new ManualClock(Date.parse('2030-01-01T00:00:00Z'));

beforeEach(async () => {
  t = tempAdvisoryDb();
  suggestion = { level: 'high', reason: 'high incident: tcp/1025', incidents: ['in_tcp_1025_1'] };
  const desk = new ThreatDesk({ store: t.store, clock, suggestion: () => suggestion, expiryMs: 3_600_000 });
  app = Fastify();
  installErrorHandling(app, pino({ level: 'silent' }));
  threatDecisionRoutes(app, { desk, adminToken: TOKEN });
  await app.ready();
});
afterEach(async () => {
  await app.close();
  t.close();
});

const call = (o: InjectOptions & { admin?: boolean }) =>
  app.inject({ ...o, headers: o.admin ? { authorization: `Bearer ${TOKEN}` } : {} });
const decide = (payload: object, admin = true) =>
  call({ method: 'POST', url: '/api/v1/threat-level', payload, admin });
const history = async (admin = false) =>
  (
    await call({ method: 'GET', url: '/api/v1/threat-level/history', admin })
  ).json<ThreatLevelHistoryResponse>();

describe('threat-level routes', () => {
  it('shows the suggestion in force before any decision', async () => {
    expect((await history()).current).toMatchObject({ level: 'high', source: 'detector', decision: null });
  });

  it('records a decision; the public sees level and reason, only the admin the actor', async () => {
    const res = await decide({ level: 'elevated', reason: 'known research scanner', actor: 'ana' });
    expect(res.statusCode).toBe(201);
    const body = res.json<{ current: ThreatLevelInForceView }>();
    expect(body.current).toMatchObject({ level: 'elevated', source: 'analyst' });
    expect(body.current.why).toContain('known research scanner; the detector suggests high');
    const pub = await history();
    expect(pub.items).toHaveLength(1);
    expect(pub.items[0]).toMatchObject({
      level: 'elevated',
      at: '2030-01-01T00:00:00.000Z',
      suggestion: { level: 'high' },
    });
    expect(pub.items[0]?.actor).toBeUndefined();
    expect(pub.current.decision?.actor).toBeUndefined();
    expect((await history(true)).items[0]?.actor).toBe('ana');
    suggestion = { level: 'severe', reason: 'three high incidents', incidents: [] };
    expect((await history()).current).toMatchObject({ level: 'severe', source: 'detector' });
    clock.advance(2 * 3_600_000);
    suggestion = { level: 'normal', reason: 'quiet', incidents: [] };
    expect((await history()).current).toMatchObject({ level: 'normal', decision_expired: true });
  });

  it('refuses malformed decisions and missing auth', async () => {
    expect((await decide({ level: 'high', reason: 'x', actor: 'a' }, false)).statusCode).toBe(401);
    for (const payload of [
      { level: 'panic', reason: 'x', actor: 'a' },
      { level: 'high', reason: '', actor: 'a' },
      { level: 'high', reason: '   ', actor: 'a' },
      { level: 'high', actor: 'a' },
      { level: 'high', reason: 'x' },
      { level: 'high', reason: 'x'.repeat(2001), actor: 'a' },
      { level: 'high', reason: 'x', actor: 'a', at: 0 },
    ]) {
      const res = await decide(payload);
      expect(res.statusCode, JSON.stringify(payload).slice(0, 60)).toBe(400);
      expect(res.json<ErrorBody>().code).toBe('SW_BAD_REQUEST');
    }
    expect((await call({ method: 'GET', url: '/api/v1/threat-level/history?limit=0' })).statusCode).toBe(400);
    expect((await history()).items).toEqual([]);
  });
});
