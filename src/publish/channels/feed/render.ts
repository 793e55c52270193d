/**
 * Atom 1.0 (RFC 4287) and RSS 2.0 documents of published messages, built with the `feed` package.
 *
 * Invariants:
 * - Output is well-formed XML for any input text: characters XML 1.0 does not allow (controls, lone
 *   surrogates, U+FFFE/U+FFFF) are dropped before the text reaches the builder, which escapes markup
 *   characters and splits CDATA sections that contain "]]>".
 * - Titles and summaries are plain text: they are HTML-escaped, because the builder marks them as HTML.
 * - The document's time is the newest entry's (or meta.updated): the same entries give the same bytes.
 * - Entry ids are stable URNs made from the message id, so readers dedupe repeats.
 */
import { Feed } from 'feed';
import type { PublishMessage } from '../types.js';

export interface FeedMeta {
  title: string;
  /** The site the feed belongs to (the server's public URL). */
  link: string;
  description?: string;
  /** Where this document is served (a rel="self" link). */
  self_url?: string;
  /** Document time when there are no entries (ms); default the epoch. */
  updated?: number;
}

/** What a feed entry needs of a message (kept in the outbox's feed table). */
export type FeedEntry = Pick<
  PublishMessage,
  'id' | 'kind' | 'title' | 'summary' | 'url' | 'level' | 'proto' | 'port' | 'html' | 'created_at'
>;

// eslint-disable-next-line no-control-regex -- the XML 1.0 Char production names control characters
const NOT_XML_CHAR = /[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;

/** Removes what XML 1.0 cannot carry. */
export function xmlSafe(s: string): string {
  return s.replace(NOT_XML_CHAR, '');
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const text = (s: string): string => escapeHtml(xmlSafe(s));

export function entryUrn(id: string): string {
  return `urn:stormwatch:message:${id.replace(/[^A-Za-z0-9:._~-]/g, (c) => encodeURIComponent(c))}`;
}

function build(entries: readonly FeedEntry[], meta: FeedMeta): Feed {
  const newest = entries.reduce((t, e) => Math.max(t, e.created_at), meta.updated ?? 0);
  const feed = new Feed({
    title: xmlSafe(meta.title),
    id: xmlSafe(meta.self_url ?? meta.link),
    link: xmlSafe(meta.link),
    description: xmlSafe(meta.description ?? ''),
    updated: new Date(newest),
    generator: 'Stormwatch',
    copyright: '',
    ...(meta.self_url ? { feedLinks: { atom: xmlSafe(meta.self_url) } } : {}),
  });
  for (const e of entries) {
    const level = e.level ? `[${e.level.toUpperCase()}] ` : '';
    feed.addItem({
      title: text(`${level}${e.title}`),
      id: entryUrn(e.id),
      guid: entryUrn(e.id),
      link: xmlSafe(e.url),
      date: new Date(e.created_at),
      published: new Date(e.created_at),
      description: text(e.summary),
      ...(e.html === undefined ? {} : { content: xmlSafe(e.html) }),
      category: [{ name: e.kind, term: e.kind }],
    });
  }
  return feed;
}

/** @example renderAtom(entries, { title: 'Stormwatch advisories', link: 'https://stormwatch.example.org/' }) */
export function renderAtom(entries: readonly FeedEntry[], meta: FeedMeta): string {
  return build(entries, meta).atom1();
}

export function renderRss(entries: readonly FeedEntry[], meta: FeedMeta): string {
  return build(entries, meta).rss2();
}
