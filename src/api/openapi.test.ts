/**
 * docs/openapi.yaml and the app agree: the same API routes, path parameters declared, every $ref resolves,
 * documented query parameters are accepted (the app refuses unknown ones), and the required fields of the
 * response schemas are exactly the fields real responses carry.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { registeredRoutes } from './app.js';
import { PACKAGE_ROOT } from './package-info.js';
import { batchOf, ev, makeTestEnv } from './test-helpers.js';
import type { TestEnv } from './test-helpers.js';

interface Param {
  name: string;
  in: string;
  schema?: { default?: unknown; enum?: unknown[]; minimum?: number; $ref?: string };
  $ref?: string;
}
interface Operation {
  parameters?: Param[];
  responses: Record<string, unknown>;
}
interface Schema {
  required?: string[];
  properties?: Record<string, unknown>;
}
interface Doc {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; parameters: Record<string, Param> };
}

const doc = parseYaml(readFileSync(join(PACKAGE_ROOT, 'docs', 'openapi.yaml'), 'utf8')) as Doc;
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
  Object.keys(item)
    .filter((m) => METHODS.includes(m))
    .map((m) => `${m.toUpperCase()} ${path}`),
);

let env: TestEnv;
beforeAll(async () => {
  env = await makeTestEnv();
});
afterAll(async () => {
  await env.close();
});

function resolve(ref: string): unknown {
  return ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], doc);
}

function refs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => refs(n, out));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

const params = (op: Operation): Param[] =>
  (op.parameters ?? []).map((p) => (p.$ref ? (resolve(p.$ref) as Param) : p));

describe('docs/openapi.yaml', () => {
  it('is OpenAPI 3.1', () => {
    expect(doc.openapi).toMatch(/^3\.1\./);
  });

  it('documents exactly the API routes (and /metrics) the app registers', () => {
    const registered = registeredRoutes(env.app)
      .filter((r) => r.url.startsWith('/api/') || r.url === '/metrics')
      .map((r) => `${r.method} ${r.url.replace(/:([A-Za-z_]+)/g, '{$1}')}`);
    expect(new Set(registered).size).toBe(registered.length);
    expect([...registered].sort()).toEqual([...documented].sort());
  });

  it('resolves every $ref', () => {
    for (const ref of refs(doc)) expect(resolve(ref), ref).toBeDefined();
  });

  it('declares every path parameter', () => {
    for (const [path, item] of Object.entries(doc.paths)) {
      const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const op of Object.values(item)) {
        const declared = params(op)
          .filter((p) => p.in === 'path')
          .map((p) => p.name);
        expect(declared.sort(), path).toEqual(inPath.sort());
      }
    }
  });

  it('lists only query parameters the app accepts', async () => {
    const sensor = await env.enroll();
    for (const [path, item] of Object.entries(doc.paths)) {
      const op = item.get;
      // Advisory ids have their own form; their queries are covered by src/api/routes/advisories.test.ts.
      if (!op || path.startsWith('/api/v1/advisories/{id}')) continue;
      const url = path
        .replace('{proto}', 'tcp')
        .replace('{port}', '22')
        .replace('{ip}', '192.0.2.1')
        .replace('{id}', sensor.id);
      const headers = path.startsWith('/api/v1/admin/') ? { authorization: `Bearer ${env.adminToken}` } : {};
      for (const p of params(op).filter((q) => q.in === 'query')) {
        const sch = p.schema?.$ref ? (resolve(p.schema.$ref) as Param['schema']) : p.schema;
        const value =
          sch?.default ??
          sch?.enum?.[0] ??
          (p.name === 'from' || p.name === 'to' ? '2024-05-01T00:00:00Z' : sch?.minimum);
        const res = await env.app.inject({
          url: `${url}?${p.name}=${encodeURIComponent(typeof value === 'string' || typeof value === 'number' ? String(value) : '')}`,
          headers,
        });
        expect(res.statusCode, `${url} ${p.name}: ${res.body}`).toBe(200);
      }
    }
  });

  it('requires exactly the fields real responses carry', async () => {
    const s = await env.enroll();
    const ack = (await env.submit(s, batchOf([ev(22, '192.0.2.1')]))).json<Record<string, unknown>>();
    await env.drain();
    const top = (await env.app.inject({ url: '/api/v1/ports/top' })).json<{
      items: Array<Record<string, unknown>>;
    }>();
    const series = (await env.app.inject({ url: '/api/v1/ports/tcp/22/series' })).json<{
      items: Array<Record<string, unknown>>;
    }>();
    const sensors = (await env.app.inject({ url: '/api/v1/sensors' })).json<{
      items: Array<Record<string, unknown>>;
    }>();
    const health = (await env.app.inject({ url: '/api/v1/health' })).json<Record<string, unknown>>();
    const live = (await env.app.inject({ url: '/api/v1/health/live' })).json<Record<string, unknown>>();
    const ready = (await env.app.inject({ url: '/api/v1/health/ready' })).json<Record<string, unknown>>();
    const samples: Record<string, Record<string, unknown> | undefined> = {
      SubmissionAck: ack,
      TopPortsResponse: top,
      TopPort: top.items[0],
      SeriesResponse: series,
      SeriesPoint: series.items[0],
      SensorsResponse: sensors,
      SensorInfo: sensors.items[0],
      HealthResponse: health,
      HealthStatus: live,
    };
    expect(ready).toEqual(live);
    for (const [name, sample] of Object.entries(samples)) {
      const schema = doc.components.schemas[name];
      expect(sample, name).toBeDefined();
      expect(Object.keys(sample ?? {}).sort(), name).toEqual([...(schema?.required ?? [])].sort());
      expect(Object.keys(schema?.properties ?? {}).sort(), name).toEqual(
        [...(schema?.required ?? [])].sort(),
      );
    }
  });
});
