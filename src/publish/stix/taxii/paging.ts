/**
 * The filtering and paging of a TAXII 2.1 collection (sections 3.4 and 5.3-5.6): every object has a
 * `date_added`; answers are sorted by (date_added, id); `added_after` keeps what was added strictly later;
 * `match[id]`, `match[type]`, `match[version]` and `match[spec_version]` filter; `limit` cuts a page and
 * `next` (an opaque token: the position after the last object answered) continues it.
 *
 * Invariants: a `next` token names a position, not an offset, so paging stays consistent when objects are
 * added meanwhile; every malformed parameter is refused with SW_BAD_REQUEST naming it.
 */
import { makeError } from '../../../core/errors.js';
import type { StixObject } from '../types.js';

export interface CollectionItem {
  object: StixObject;
  /** When the object (this version) was added to the collection, ms. */
  date_added: number;
}

export interface CollectionQuery {
  added_after?: number;
  limit: number;
  next?: string;
  ids?: string[];
  types?: string[];
  /** `last`, `first`, `all` or version timestamps (ms). Each object here has one version. */
  versions?: Array<'last' | 'first' | 'all' | number>;
  spec_versions?: string[];
}

export interface Page {
  items: CollectionItem[];
  more: boolean;
  next?: string;
}

const order = (a: CollectionItem, b: CollectionItem): number =>
  a.date_added - b.date_added || (a.object.id < b.object.id ? -1 : a.object.id > b.object.id ? 1 : 0);

export function encodeNext(item: CollectionItem): string {
  return Buffer.from(JSON.stringify([item.date_added, item.object.id])).toString('base64url');
}

function decodeNext(token: string): [number, string] {
  try {
    if (token.length > 512) throw new Error('too long');
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && Number.isFinite(v[0]) && typeof v[1] === 'string')
      return [v[0] as number, v[1]];
  } catch {
    // fall through to the error
  }
  throw makeError('SW_BAD_REQUEST', 'next: not a token this server gave');
}

function keep(item: CollectionItem, q: CollectionQuery): boolean {
  const o = item.object;
  if (q.added_after !== undefined && item.date_added <= q.added_after) return false;
  if (q.ids && !q.ids.includes(o.id)) return false;
  if (q.types && !q.types.includes(o.type)) return false;
  if (q.spec_versions && !q.spec_versions.includes(o.spec_version)) return false;
  if (q.versions && !q.versions.some((v) => typeof v === 'string' || v === Date.parse(o.modified)))
    return false;
  return true;
}

/** The page of `items` that `q` asks for. */
export function page(items: readonly CollectionItem[], q: CollectionQuery): Page {
  let selected = items.filter((i) => keep(i, q)).sort(order);
  if (q.next !== undefined) {
    const [at, id] = decodeNext(q.next);
    selected = selected.filter((i) => i.date_added > at || (i.date_added === at && i.object.id > id));
  }
  const out = selected.slice(0, q.limit);
  const more = selected.length > out.length;
  const last = out.at(-1);
  return more && last ? { items: out, more, next: encodeNext(last) } : { items: out, more };
}
