/**
 * TAXII paging: positions, not offsets (an object added between two pages is neither repeated nor skipped
 * past), filters, and the Accept rules.
 */
import { describe, expect, it } from 'vitest';
import { makeIdentity, makeIndicator } from '../objects.js';
import { acceptsTaxii } from './media.js';
import { page } from './paging.js';
import type { CollectionItem } from './paging.js';

const identity = makeIdentity();
const item = (i: number, at: number): CollectionItem => ({
  object: makeIndicator({
    value: `192.0.2.${i}`,
    family: 4,
    list: 'sources',
    name: `n${i}`,
    description: 'd',
    first_seen: at,
    last_seen: at,
    valid_until: at + 1000,
    creator: identity,
  }),
  date_added: at,
});

describe('page', () => {
  it('continues after the last object answered even when objects are added meanwhile', () => {
    const items = [item(1, 100), item(2, 200), item(3, 200), item(4, 300)];
    const p1 = page(items, { limit: 2 });
    expect(p1.more).toBe(true);
    const grown = [...items, item(5, 50), item(6, 400)];
    const p2 = page(grown, { limit: 10, next: p1.next ?? '' });
    const seen = [...p1.items, ...p2.items].map((i) => i.object.id);
    expect(new Set(seen).size).toBe(seen.length);
    expect(p2.items.map((i) => i.date_added)).toEqual([200, 300, 400]);
    expect(p2.more).toBe(false);
    expect(p2.next).toBeUndefined();
  });

  it('filters by added_after, type, id, version and spec_version', () => {
    const items = [item(1, 100), item(2, 200), { object: identity, date_added: 0 }];
    expect(page(items, { limit: 9, added_after: 100 }).items.map((i) => i.date_added)).toEqual([200]);
    expect(page(items, { limit: 9, types: ['identity'] }).items).toHaveLength(1);
    expect(page(items, { limit: 9, ids: [items[0]?.object.id ?? ''] }).items).toHaveLength(1);
    expect(page(items, { limit: 9, versions: [200] }).items.map((i) => i.date_added)).toEqual([200]);
    expect(page(items, { limit: 9, versions: ['all'] }).items).toHaveLength(3);
    expect(page(items, { limit: 9, spec_versions: ['2.0'] }).items).toEqual([]);
  });

  it('refuses a next token it did not make', () => {
    for (const bad of ['x', Buffer.from('[1]').toString('base64url'), 'a'.repeat(600)])
      expect(() => page([], { limit: 1, next: bad })).toThrow(/next: not a token/);
  });
});

describe('acceptsTaxii', () => {
  it.each([
    [undefined, true],
    ['application/taxii+json;version=2.1', true],
    ['application/taxii+json; version="2.1"', true],
    ['application/taxii+json', true],
    ['*/*', true],
    ['text/html, application/*;q=0.1', true],
    ['application/taxii+json;version=2.0', false],
    ['application/taxii+json;version=2.1;q=0', false],
    ['application/json', false],
    ['x'.repeat(2000), false],
  ])('%s → %s', (accept, ok) => {
    expect(acceptsTaxii(accept)).toBe(ok);
  });
});
