/**
 * validateStix with the shipped OASIS schemas: a valid bundle passes; broken ones fail with a message saying
 * where (missing spec_version, bad id, bad pattern type, bad timestamps, an unknown type, a broken envelope,
 * non-object input); and the shipped schema files are byte for byte those SOURCES.md lists.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeBundle, makeIdentity, makeIndicator } from './objects.js';
import type { StixBundle } from './types.js';
import { SCHEMA_DIR, validateStix } from './validate.js';

const T = Date.parse('2024-05-01T12:00:00Z');

function bundle(): StixBundle {
  const identity = makeIdentity();
  const indicator = makeIndicator({
    value: '203.0.113.0/24',
    family: 4,
    list: 'networks',
    name: 'Stormwatch blocklist (networks): 203.0.113.0/24',
    description: 'Listed: 150 events',
    first_seen: T - 3_600_000,
    last_seen: T,
    valid_until: T + 7 * 86_400_000,
    creator: identity,
  });
  return makeBundle([identity, indicator]);
}

/** A bundle whose indicator (objects[1]) is changed by `edit`. */
function broken(edit: (o: Record<string, unknown>) => void): unknown {
  const b = JSON.parse(JSON.stringify(bundle())) as { objects: Array<Record<string, unknown>> };
  edit(b.objects[1] as Record<string, unknown>);
  return b;
}

describe('validateStix', () => {
  it('passes a valid bundle', () => {
    expect(validateStix(bundle())).toEqual([]);
  });

  it.each([
    ['missing spec_version', (o: Record<string, unknown>) => delete o.spec_version, /spec_version/],
    ['a bad id', (o: Record<string, unknown>) => (o.id = 'indicator--1234'), /\/id: must match pattern/],
    [
      'an id of another type',
      (o: Record<string, unknown>) => (o.id = String(o.id).replace('indicator', 'malware')),
      /\/id/,
    ],
    [
      'a pattern type that is no string',
      (o: Record<string, unknown>) => (o.pattern_type = 7),
      /pattern_type/,
    ],
    ['no pattern type', (o: Record<string, unknown>) => delete o.pattern_type, /pattern_type/],
    [
      'a pattern type outside the vocabulary',
      (o: Record<string, unknown>) => (o.pattern_type = 'stixx'),
      /pattern_type: "stixx" is not in/,
    ],
    [
      'a timestamp without milliseconds',
      (o: Record<string, unknown>) => (o.created = '2024-05-01T11:00:00Z'),
      /\/created/,
    ],
    [
      'a month 13',
      (o: Record<string, unknown>) => (o.valid_from = '2024-13-01T00:00:00.000Z'),
      /\/valid_from/,
    ],
    [
      'a local time',
      (o: Record<string, unknown>) => (o.modified = '2024-05-01T12:00:00.000+02:00'),
      /\/modified/,
    ],
    [
      'valid_until before valid_from',
      (o: Record<string, unknown>) => (o.valid_until = '2020-01-01T00:00:00.000Z'),
      /valid_until: not after valid_from/,
    ],
    [
      'modified before created',
      (o: Record<string, unknown>) => (o.modified = '2020-01-01T00:00:00.000Z'),
      /modified: before created/,
    ],
    ['an unknown type', (o: Record<string, unknown>) => (o.type = 'x-thing'), /has no schema here/],
    ['a reserved property', (o: Record<string, unknown>) => (o.severity = 'high'), /must NOT be valid/],
  ])('refuses %s', (_name, edit, message) => {
    const errors = validateStix(broken(edit));
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.join('\n')).toMatch(message);
    expect(errors.every((e) => e.startsWith('objects[1]'))).toBe(true);
  });

  it('accepts an open-vocabulary value when asked not to check vocabularies', () => {
    expect(
      validateStix(
        broken((o) => (o.pattern_type = 'stixx')),
        { vocabularies: false },
      ),
    ).toEqual([]);
  });

  it('refuses a broken envelope and non-bundles without throwing', () => {
    const b = bundle();
    expect(validateStix({ ...b, id: 'report--6b3f0bb4-6ab5-4a2b-9f0d-5b7c55b3b1a1' }).join()).toMatch(
      /bundle\/id/,
    );
    expect(validateStix({ ...b, objects: [] }).join()).toMatch(/objects/);
    expect(validateStix({ ...b, type: 'collection' }).join()).toMatch(/bundle\/type/);
    for (const junk of [null, 'bundle', 42, [], {}])
      expect(validateStix(junk).length, JSON.stringify(junk)).toBeGreaterThan(0);
    expect(validateStix({ ...b, objects: [null, 7] }).length).toBeGreaterThanOrEqual(2);
  });
});

describe('shipped schemas', () => {
  it('have the content SOURCES.md lists for each file (whitespace aside), and the licence', () => {
    const sources = readFileSync(join(SCHEMA_DIR, 'SOURCES.md'), 'utf8');
    const rows = [
      ...sources.matchAll(
        /^\| `([a-z-]+\/[a-z-]+\.json)` \| \d+ \| `[0-9a-f]{64}` \| [^|]+ \| `([0-9a-f]{64})` \|$/gm,
      ),
    ];
    expect(rows.length).toBe(19);
    for (const [, file = '', sha] of rows) {
      const content = JSON.stringify(JSON.parse(readFileSync(join(SCHEMA_DIR, file), 'utf8')));
      expect(createHash('sha256').update(content).digest('hex'), file).toBe(sha);
    }
    expect(readFileSync(join(SCHEMA_DIR, 'LICENSE'), 'utf8')).toMatch(/Redistribution and use/);
  });
});
