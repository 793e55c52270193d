/**
 * The feed channel on a real SQLite outbox, and its documents checked for well-formedness
 * (xml-check.test-helpers.ts: sax in strict mode plus the rules sax lets through) and read back with xml-js.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { xml2js } from 'xml-js';
import type { Element } from 'xml-js';
import { openOutbox, sampleMessage, tempDir } from '../../dispatcher/test-helpers.js';
import { runChannelContract } from '../channel.contract.js';
import { webhookDeps } from '../webhook/test-helpers.js';
import { feedConfigSchema } from './config.js';
import { FeedChannel } from './feed-channel.js';
import { entryUrn, renderAtom, renderRss } from './render.js';
import { checkWellFormed } from './xml-check.test-helpers.js';

const dir = tempDir('sw-feed-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

function feedChannel(path = join(dir, `f${n++}.db`), fresh = true, over: Record<string, unknown> = {}) {
  const out = openOutbox(path, fresh);
  const cfg = feedConfigSchema.parse({
    type: 'feed',
    name: 'public',
    link: 'https://stormwatch.example.org/',
    ...over,
  });
  return { ...out, channel: new FeedChannel(cfg, webhookDeps({ deliveries: out.store })) };
}

/** Parses strictly; returns the root element. */
function parse(xml: string): Element {
  checkWellFormed(xml);
  const doc = xml2js(xml, { compact: false }) as Element;
  const root = doc.elements?.find((e) => e.type === 'element');
  if (!root) throw new Error('no root element');
  return root;
}
const kids = (e: Element | undefined, name: string): Element[] =>
  (e?.elements ?? []).filter((c) => c.name === name);
const textOf = (e: Element | undefined): string =>
  (e?.elements ?? [])
    .map((c) => (c.type === 'text' ? String(c.text) : c.type === 'cdata' ? String(c.cdata) : ''))
    .join('');

runChannelContract('feed', () => {
  const ok = feedChannel();
  const broken = feedChannel();
  broken.db.close();
  return {
    channel: ok.channel,
    received: () => Promise.resolve(ok.channel.entries().map((e) => e.id)),
    failing: broken.channel,
    hanging: { skip: 'a local SQLite write has no remote end that could hang' },
    close: () => {
      ok.db.close();
      return Promise.resolve();
    },
  };
});

const HOSTILE = 'Ports & <script>alert(1)</script> ]]> "quoted" \u0000\u0007\u001b\ud800 end';

describe('the XML check', () => {
  it.each([
    ['<a><b></a>', /not well-formed/],
    ['<a>&</a>', /not well-formed/],
    ['<a>\u0001</a>', /U\+1 /],
    ['<a x="<"/>', /attribute/],
    ['<a>]]></a>', /outside a CDATA/],
    ['<a/><b/>', /2 root elements/],
    ['<a>', /not well-formed/],
    ['<a/>trailing', /outside (of )?(the )?root/i],
  ])('refuses %j', (xml, why) => {
    expect(() => checkWellFormed(xml)).toThrow(why);
  });
  it('accepts CDATA holding markup', () => {
    expect(
      checkWellFormed('<?xml version="1.0"?>\n<a x="1 &amp; 2"><![CDATA[<p>]]]]><![CDATA[></p>]]></a>'),
    ).toBe('a');
  });
});

describe('feed documents', () => {
  const entries = [
    sampleMessage({
      id: 'advisory:2:v1',
      created_at: 2000_000,
      title: HOSTILE,
      summary: HOSTILE,
      html: `<p>${HOSTILE}</p>`,
    }),
    sampleMessage({
      id: 'note:1',
      kind: 'note.published',
      level: undefined,
      created_at: 1000_000,
      html: undefined,
    }),
  ];
  const meta = {
    title: `Feed ${HOSTILE}`,
    link: 'https://stormwatch.example.org/?a=1&b=2',
    self_url: 'https://stormwatch.example.org/feeds/public.atom',
  };
  const cleaned = 'Ports & <script>alert(1)</script> ]]> "quoted"  end';

  it('renders Atom that parses back to the same entries, hostile text included', () => {
    const xml = renderAtom(entries, meta);
    const feed = parse(xml);
    expect(feed.name).toBe('feed');
    expect(feed.attributes?.xmlns).toBe('http://www.w3.org/2005/Atom');
    expect(textOf(kids(feed, 'title')[0])).toBe(`Feed ${cleaned}`);
    expect(textOf(kids(feed, 'updated')[0])).toBe(new Date(2000_000).toISOString());
    expect(kids(feed, 'link').map((l) => l.attributes?.href)).toContain(
      'https://stormwatch.example.org/?a=1&b=2',
    );
    const items = kids(feed, 'entry');
    expect(items.map((e) => textOf(kids(e, 'id')[0]))).toEqual([
      entryUrn('advisory:2:v1'),
      entryUrn('note:1'),
    ]);
    // Titles are HTML-typed text: the reader decodes the escaped markup back to the literal title.
    const title = kids(items[0], 'title')[0];
    expect(title?.attributes?.type).toBe('html');
    expect(textOf(title)).toBe(
      `[HIGH] ${cleaned.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')}`,
    );
    expect(textOf(kids(items[0], 'content')[0])).toBe(`<p>${cleaned}</p>`);
    expect(kids(items[1], 'content')).toHaveLength(0);
    expect(kids(items[1], 'category')[0]?.attributes?.term).toBe('note.published');
    expect(renderAtom(entries, meta)).toBe(xml); // same entries, same bytes
  });

  it('renders RSS 2.0 that parses back', () => {
    const rss = parse(renderRss(entries, meta));
    expect(rss.name).toBe('rss');
    expect(rss.attributes?.version).toBe('2.0');
    const channel = kids(rss, 'channel')[0];
    const items = kids(channel, 'item');
    expect(items).toHaveLength(2);
    expect(textOf(kids(items[0], 'guid')[0])).toBe(entryUrn('advisory:2:v1'));
    expect(textOf(kids(items[0], 'link')[0])).toBe('https://stormwatch.example.org/advisories/42');
    expect(textOf(kids(items[1], 'pubDate')[0])).toBe(new Date(1000_000).toUTCString());
  });

  it('renders an empty feed', () => {
    expect(kids(parse(renderAtom([], { title: 't', link: 'https://x.example/' })), 'entry')).toEqual([]);
  });
});

describe('feed channel', () => {
  it('keeps its entries across a restart, newest first, each id once, at most max_entries', async () => {
    const first = feedChannel(undefined, true, { max_entries: 3 });
    for (let i = 1; i <= 5; i++) {
      await first.channel.deliver(
        sampleMessage({ id: `advisory:${i}:v1`, created_at: i * 1000 }),
        new AbortController().signal,
      );
    }
    await first.channel.deliver(
      sampleMessage({ id: 'advisory:5:v1', created_at: 5000 }),
      new AbortController().signal,
    );
    first.db.close();
    const again = feedChannel(first.path, false, { max_entries: 3 });
    expect(again.channel.entries().map((e) => e.id)).toEqual([
      'advisory:5:v1',
      'advisory:4:v1',
      'advisory:3:v1',
    ]);
    const atom = parse(again.channel.render('atom', 'https://stormwatch.example.org/feeds/public.atom'));
    expect(kids(atom, 'entry')).toHaveLength(3);
    expect(kids(atom, 'link').some((l) => l.attributes?.rel === 'self')).toBe(true);
    expect(parse(again.channel.render('rss')).name).toBe('rss');
    again.db.close();
  });
});
