/**
 * Test support: a well-formedness check of XML 1.0 output. `sax` in strict mode (installed with xml-js, a
 * dependency of `feed`) checks tag balance, entity references and the unclosed root; it lets a few rules
 * through, which are checked here by hand: the Char production, one root element, no "<" in attribute
 * values, no "]]>" outside CDATA sections, nothing but white space and markup outside the root.
 */
import { createRequire } from 'node:module';

interface SaxParser {
  onerror: (e: Error) => void;
  onopentag: (t: { name: string; attributes: Record<string, string> }) => void;
  onclosetag: (name: string) => void;
  ontext: (t: string) => void;
  write(s: string): SaxParser;
  close(): void;
}
// sax ships no type declarations; the three members used are declared above.
const sax = createRequire(import.meta.url)('sax') as { parser(strict: boolean, opts: object): SaxParser };

// eslint-disable-next-line no-control-regex -- the XML 1.0 Char production names control characters
const NOT_XML_CHAR = /[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;

/** Throws an Error saying what is wrong and where; returns the root element's name. */
export function checkWellFormed(xml: string): string {
  const bad = NOT_XML_CHAR.exec(xml);
  if (bad)
    throw new Error(
      `character U+${bad[0].codePointAt(0)!.toString(16)} at ${bad.index} is not allowed in XML`,
    );
  const outsideCdata = xml.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '');
  if (outsideCdata.includes(']]>')) throw new Error(']]> outside a CDATA section');
  for (const tag of outsideCdata.match(/<[A-Za-z][^>]*>/g) ?? []) {
    for (const [, value] of tag.matchAll(/=\s*(?:"([^"]*)"|'([^']*)')/g)) {
      if (value?.includes('<')) throw new Error(`"<" in an attribute value: ${tag.slice(0, 80)}`);
    }
  }
  const p = sax.parser(true, {});
  let depth = 0;
  let roots = 0;
  let root = '';
  p.onerror = (e) => {
    throw new Error(`not well-formed: ${e.message.split('\n')[0]}`);
  };
  p.onopentag = (t) => {
    if (depth === 0) {
      roots++;
      root = t.name;
    }
    depth++;
  };
  p.onclosetag = () => depth--;
  p.ontext = (t) => {
    if (depth === 0 && t.trim() !== '') throw new Error(`text outside the root element: ${t.slice(0, 40)}`);
  };
  p.write(xml).close();
  if (roots !== 1) throw new Error(`${roots} root elements`);
  return root;
}
