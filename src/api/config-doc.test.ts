/** docs/CONFIG.md names every key of the server, advise, route, dispatch and channel schemas, and the dispatch defaults. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { channelConfigSchema } from '../publish/channels/registry.js';
import { dispatchConfigSchema, routeSchema } from '../publish/config.js';
import { serverConfigSchema } from './config.js';

const doc = readFileSync(new URL('../../docs/CONFIG.md', import.meta.url), 'utf8');
const keys = (s: z.ZodType): string[] => Object.keys((s as unknown as z.ZodObject).shape);
const missing = (ks: string[]): string[] =>
  ks.filter((k) => !new RegExp('`[^`]*\\b' + k + '\\b[^`]*`').test(doc));

describe('docs/CONFIG.md', () => {
  it('lists every key of the server schema and its publish and advise parts', () => {
    const advise = serverConfigSchema.shape.advise.unwrap() as unknown as z.ZodObject;
    const all = [
      ...keys(serverConfigSchema),
      ...keys(advise),
      ...keys(routeSchema),
      ...keys(dispatchConfigSchema),
      ...channelConfigSchema.options.flatMap((o) => keys(o)),
    ];
    expect(all.length).toBeGreaterThan(60);
    expect(missing(all)).toEqual([]);
  });

  it('gives the dispatch defaults the schema fills', () => {
    const d = serverConfigSchema.parse({}).publish.dispatch;
    for (const [k, v] of Object.entries(d)) {
      expect(doc).toMatch(new RegExp('`' + k + '`[^\\n]*[|/] ' + String(v) + '[ |]'));
    }
  });
});
