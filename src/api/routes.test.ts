/**
 * The read API and the dashboard fallback through app.inject(), on the real store: health, top ports with
 * baseline, series (defaults, zero fill, validation), alerts, sensors, unknown routes, static files.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type {
  AlertsResponse,
  ErrorBody,
  HealthResponse,
  SeriesResponse,
  SensorsResponse,
  TopPortsResponse,
} from '../protocol/api-types.js';
import type {
  IncidentView,
  IncidentsResponse,
  Incident,
  ThreatLevelResponse,
} from '../protocol/incident-types.js';
import type { StoredIncident } from '../store/store.js';
import { batchOf, ev, makeTestEnv, T_EVENT } from './test-helpers.js';
import type { TestEnv } from './test-helpers.js';

let env: TestEnv;
afterEach(async () => {
  await env?.close();
});

const get = async <T>(url: string, status = 200): Promise<T> => {
  const res = await env.app.inject({ url });
  expect(res.statusCode, res.body).toBe(status);
  return res.json<T>();
};
const HOUR = 3_600_000;
const ip = (i: number): string => `198.51.${(i >> 8) & 255}.${i & 255}`;

describe('health', () => {
  it('reports ok with the event clock once ready, 503 before', async () => {
    let ready = false;
    env = await makeTestEnv({ ready: () => ready });
    expect((await get<ErrorBody>('/api/v1/health', 503)).code).toBe('SW_UNAVAILABLE');
    ready = true;
    const h = await get<HealthResponse>('/api/v1/health');
    expect(h).toEqual({
      status: 'ok',
      version: expect.any(String) as string,
      now: new Date(T_EVENT).toISOString(),
    });
  });
});

describe('ports/top', () => {
  it('returns the window, totals, services and a baseline from the previous windows', async () => {
    env = await makeTestEnv();
    const s = await env.enroll();
    // Seven previous hours: 2 sources on tcp/445 each hour; the current hour: 10.
    const past = [];
    for (let h = 1; h <= 7; h++)
      past.push(ev(445, ip(h * 2), T_EVENT - h * HOUR), ev(445, ip(h * 2 + 1), T_EVENT - h * HOUR));
    const now = Array.from({ length: 10 }, (_, i) => ev(445, ip(100 + i)));
    expect((await env.submit(s, batchOf([...past, ...now, ev(65000, ip(1))]))).statusCode).toBe(200);
    await env.drain();
    const top = await get<TopPortsResponse>('/api/v1/ports/top?window=1h');
    expect(top.window).toBe('1h');
    expect(top.to).toBe('2024-05-01T12:05:00.000Z');
    expect(top.from).toBe('2024-05-01T11:05:00.000Z');
    expect(top.items[0]).toEqual({
      proto: 'tcp',
      port: 445,
      events: 10,
      sources: 10,
      sensors: 1,
      targets: 0,
      baseline_sources: 2,
      change: 5,
      services: ['smb'],
    });
    expect(top.items[1]).toMatchObject({ port: 65000, baseline_sources: 0, change: 1, services: [] });
    expect((await get<TopPortsResponse>('/api/v1/ports/top?window=1h&limit=1')).items).toHaveLength(1);
    // 24h: no earlier day lies wholly in the history → no baseline.
    const day = await get<TopPortsResponse>('/api/v1/ports/top?window=24h');
    expect(day.items[0]).toMatchObject({ port: 445, sources: 24, baseline_sources: null, change: null });
  });

  it('validates the query', async () => {
    env = await makeTestEnv();
    for (const q of ['window=2h', 'limit=0', 'limit=x', 'window=1h&foo=1']) {
      const body = await get<ErrorBody>(`/api/v1/ports/top?${q}`, 400);
      expect(body.code).toBe('SW_BAD_REQUEST');
    }
    expect((await get<ErrorBody>('/api/v1/ports/top?foo=1', 400)).message).toContain('foo');
  });
});

describe('ports/{proto}/{port}/series', () => {
  it('defaults to the last 24 h in 5-min buckets, zero-filled', async () => {
    env = await makeTestEnv();
    const s = await env.enroll();
    await env.submit(s, batchOf([ev(22, ip(1)), ev(22, ip(2)), ev(22, ip(1), T_EVENT - 3 * HOUR)]));
    await env.drain();
    const r = await get<SeriesResponse>('/api/v1/ports/tcp/22/series');
    expect(r).toMatchObject({
      proto: 'tcp',
      port: 22,
      bucket: '5m',
      to: '2024-05-01T12:05:00.000Z',
      from: '2024-04-30T12:00:00.000Z',
    });
    expect(r.items).toHaveLength(289);
    expect(r.items.filter((p) => p.events > 0).map((p) => [p.t, p.events, p.sources])).toEqual([
      ['2024-05-01T09:00:00.000Z', 1, 1],
      ['2024-05-01T12:00:00.000Z', 2, 2],
    ]);
    const h = await get<SeriesResponse>(
      '/api/v1/ports/tcp/22/series?bucket=1h&from=2024-05-01T09:30:00Z&to=2024-05-01T12:00:01Z',
    );
    expect(h.items.map((p) => p.events)).toEqual([1, 0, 0, 2]);
    expect(h.from).toBe('2024-05-01T09:00:00.000Z');
  });

  it('validates everything, including the point cap', async () => {
    env = await makeTestEnv({ config: { max_series_points: 100 } });
    const bad = [
      '/api/v1/ports/sctp/22/series',
      '/api/v1/ports/tcp/65536/series',
      '/api/v1/ports/tcp/-1/series',
      '/api/v1/ports/tcp/22/series?bucket=1m',
      '/api/v1/ports/tcp/22/series?from=yesterday',
      '/api/v1/ports/tcp/22/series?from=2024-05-01T00:00:00Z&to=2024-04-01T00:00:00Z',
      '/api/v1/ports/tcp/22/series?bucket=5m&from=2024-04-01T00:00:00Z&to=2024-05-01T00:00:00Z',
      '/api/v1/ports/tcp/22/series?x=1',
    ];
    for (const url of bad) expect((await get<ErrorBody>(url, 400)).code).toBe('SW_BAD_REQUEST');
    const ok = await get<SeriesResponse>(
      '/api/v1/ports/udp/53/series?bucket=1d&from=2024-01-01T00:00:00Z&to=2024-04-01T00:00:00Z',
    );
    expect(ok.items).toHaveLength(91);
  });
});

describe('alerts and incidents', () => {
  const incident = (id: string, status: Incident['status'], updated_at: number): StoredIncident => {
    const body = {
      id,
      proto: 'tcp',
      port: 1025,
      status,
      severity: 80,
      level: 'high',
      confidence: { operators: 12, handshake_share: null, label: 'high' },
      first_seen: T_EVENT - 2 * HOUR,
      opened_at: T_EVENT - HOUR,
      updated_at,
      resolved_at: status === 'resolved' ? updated_at : null,
      reopened: 0,
      backfilled: false,
      campaign: null,
      evidence: {
        granularity: '1h',
        bucket: T_EVENT - 2 * HOUR,
        test: 'spike',
        window: 1,
        metric: 'sources',
        observed: 60,
        expected: 1.5,
        interval: [0, 6],
        p_value: 1e-30,
        alpha: 1e-7,
        fold: 40,
        sources: 60,
        sensors: 25,
        expected_sensors: 2,
        operators: 14,
        effective_operators: 11.2,
        max_operator_share: 0.15,
        events: { observed: 400, expected: 9 },
        handshake_share: null,
        growth: null,
        novelty: false,
        gates: [{ name: 'operator_quorum', passed: true, detail: '14 operators, need 3' }],
        top_countries: [],
        top_networks: [],
      },
      history: [{ at: T_EVENT - HOUR, status: 'open', level: 'high', note: 'spike' }],
    } satisfies Incident;
    return {
      id,
      proto: 'tcp',
      port: 1025,
      status,
      level: 'high',
      severity: 80,
      opened_at: body.opened_at,
      updated_at,
      campaign: null,
      backfilled: false,
      body,
    };
  };

  it('lists alerts (incidents past their candidate stage) newest first, filtered by status', async () => {
    env = await makeTestEnv();
    env.store.saveIncidents([
      incident('in_tcp_1025_1', 'resolved', T_EVENT - 100),
      incident('in_tcp_1025_2', 'escalated', T_EVENT),
      incident('in_tcp_1025_3', 'candidate', T_EVENT + 5),
    ]);
    const all = await get<AlertsResponse>('/api/v1/alerts');
    expect(all.items.map((a) => a.id)).toEqual(['in_tcp_1025_2', 'in_tcp_1025_1']);
    expect(all.items[0]).toMatchObject({
      proto: 'tcp',
      port: 1025,
      status: 'open',
      incident_status: 'escalated',
      opened_at: '2024-05-01T11:02:00.000Z',
      evidence: { sources: { observed: 60, expected: 1.5 }, sensors: { observed: 25, expected: 2 } },
    });
    expect(all.items[0]?.evidence.reason).toMatch(/spike over 1×1h: 60 sources/);
    expect((await get<AlertsResponse>('/api/v1/alerts?status=resolved')).items.map((a) => a.id)).toEqual([
      'in_tcp_1025_1',
    ]);
    expect((await get<AlertsResponse>('/api/v1/alerts?limit=1')).items).toHaveLength(1);
    expect((await get<ErrorBody>('/api/v1/alerts?status=closed', 400)).code).toBe('SW_BAD_REQUEST');
  });

  it('shows incidents whole, with ISO times, one by id, and 404 for an unknown one', async () => {
    env = await makeTestEnv();
    env.store.saveIncidents([incident('in_tcp_1025_2', 'open', T_EVENT)]);
    const { items } = await get<IncidentsResponse>('/api/v1/incidents?status=active&proto=tcp&port=1025');
    expect(items.map((i) => i.id)).toEqual(['in_tcp_1025_2']);
    const one = await get<IncidentView>('/api/v1/incidents/in_tcp_1025_2');
    expect(one.evidence.bucket).toBe('2024-05-01T10:02:00.000Z');
    expect(one.history[0]?.at).toBe('2024-05-01T11:02:00.000Z');
    expect(one.evidence.gates[0]?.passed).toBe(true);
    expect((await get<ErrorBody>('/api/v1/incidents/in_tcp_9_9', 404)).code).toBe('SW_NOT_FOUND');
    expect((await get<ErrorBody>('/api/v1/incidents/nope', 400)).code).toBe('SW_BAD_REQUEST');
    expect((await get<IncidentsResponse>('/api/v1/incidents?status=resolved')).items).toEqual([]);
  });

  it('lists flagged operators and sensors to admins only (none before any local anomaly)', async () => {
    env = await makeTestEnv();
    for (const url of ['/api/v1/admin/flagged-operators', '/api/v1/admin/flagged-sensors']) {
      expect((await env.app.inject({ url })).statusCode).toBe(401);
      const res = await env.app.inject({ url, headers: { authorization: `Bearer ${env.adminToken}` } });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ items: [] });
    }
  });

  it('suggests a threat level from the open incidents, with the reason', async () => {
    env = await makeTestEnv();
    env.store.saveIncidents([incident('in_tcp_1025_2', 'open', T_EVENT)]);
    // The running detector's engine speaks (it has seen no bucket, so it knows no incident); stored incidents
    // are read only when no detector runs in the process (assessThreat, tested in model/threat.test.ts).
    const live = await get<ThreatLevelResponse>('/api/v1/threat-level');
    expect(live).toMatchObject({ level: 'normal', live: true, reason: 'no open incidents' });
  });
});

describe('sensors', () => {
  it('lists sensors without their public keys', async () => {
    env = await makeTestEnv();
    const s = await env.enroll('edge-1');
    const { items } = await get<SensorsResponse>('/api/v1/sensors');
    // Public ids only (src/api/routes/sensors.ts): no internal id, no sensor or operator name.
    const publicId = env.store.getSensor(s.id)?.public_id;
    const operator = env.store.listOperators().find((o) => o.name === 'test-op');
    expect(items).toEqual([
      {
        id: publicId,
        name: publicId,
        operator: operator?.public_id,
        created_at: new Date(T_EVENT).toISOString(),
        last_seen: null,
        events_total: 0,
        revoked: false,
      },
    ]);
    for (const secret of ['PUBLIC KEY', s.id, 'edge-1', 'test-op', operator?.id ?? 'o_'])
      expect(JSON.stringify(items)).not.toContain(secret);
  });
});

describe('unknown routes and the dashboard', () => {
  it('answers JSON 404 SW_NOT_FOUND for unknown API routes', async () => {
    env = await makeTestEnv();
    for (const [method, url] of [
      ['GET', '/api/v1/nope'],
      ['POST', '/api/v1/health'],
      ['DELETE', '/api/v1/sensors'],
    ] as const) {
      const res = await env.app.inject({ method, url });
      expect(res.statusCode).toBe(404);
      expect(res.json<ErrorBody>().code).toBe('SW_NOT_FOUND');
    }
  });

  it('says how to build the dashboard when web/dist is missing', async () => {
    env = await makeTestEnv({ webRoot: null });
    const res = await env.app.inject({ url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('npm run build');
  });

  it('serves the built dashboard with SPA fallback, never for /api', async () => {
    const web = mkdtempSync(join(tmpdir(), 'sw-web-'));
    writeFileSync(join(web, 'index.html'), '<!doctype html><title>dash</title>');
    writeFileSync(join(web, 'app.js'), 'console.log(1)');
    try {
      env = await makeTestEnv({ webRoot: web });
      expect((await env.app.inject({ url: '/' })).body).toContain('dash');
      const js = await env.app.inject({ url: '/app.js' });
      expect(js.headers['content-type']).toContain('javascript');
      const deep = await env.app.inject({ url: '/ports/tcp/1025' });
      expect(deep.statusCode).toBe(200);
      expect(deep.body).toContain('dash');
      const api = await env.app.inject({ url: '/api/v1/nope' });
      expect(api.statusCode).toBe(404);
      expect(api.json<ErrorBody>().code).toBe('SW_NOT_FOUND');
    } finally {
      rmSync(web, { recursive: true, force: true });
    }
  });
});
