/** The byte-level JSON scanner checked against JSON.parse on written and generated objects. */
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../core/random.js';
import {
  JsonScanner,
  MAX_DEPTH,
  T_ARRAY,
  T_FALSE,
  T_NONE,
  T_NULL,
  T_NUMBER,
  T_OBJECT,
  T_STRING,
  T_TRUE,
} from './json-scan.js';
import { SlotView, V_TEXT } from './line-base.js';

const scan = (paths: string[], text: string): { ok: boolean; values: unknown[] } => {
  const sc = new JsonScanner(paths);
  const buf = Buffer.from(text);
  const ok = sc.scan(buf, 0, buf.length);
  const v = new SlotView();
  const values = paths.map((_, i) => {
    const t = sc.type[i];
    if (t === T_NONE) return undefined;
    if (t === T_NULL) return null;
    if (t === T_TRUE) return true;
    if (t === T_FALSE) return false;
    if (t === T_OBJECT || t === T_ARRAY)
      return JSON.parse(buf.toString('utf8', sc.vs[i], sc.ve[i])) as unknown;
    expect(v.set(sc, buf, i)).toBe(V_TEXT);
    return t === T_NUMBER ? Number(v.text()) : t === T_STRING ? v.text() : 'bad';
  });
  return { ok, values };
};

/** JSON.parse's value at a path, trying the flat dotted key before nesting, last occurrence wins. */
function lookup(o: unknown, path: string): unknown {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return undefined;
  const rec = o as Record<string, unknown>;
  if (path in rec) return rec[path];
  for (let i = path.indexOf('.'); i > 0; i = path.indexOf('.', i + 1)) {
    const head = path.slice(0, i);
    if (head in rec) {
      const r = lookup(rec[head], path.slice(i + 1));
      if (r !== undefined) return r;
    }
  }
  return undefined;
}

describe('JsonScanner', () => {
  it('finds top-level, nested and flat-dotted paths', () => {
    const text = '{"a":1,"b":{"c":"x","d":{"e":[1,2]}},"f.g":true,"h":null,"i":-1.5e3,"j":""}';
    expect(scan(['a', 'b.c', 'b.d.e', 'f.g', 'h', 'i', 'j', 'zz', 'b.zz'], text)).toEqual({
      ok: true,
      values: [1, 'x', [1, 2], true, null, -1500, '', undefined, undefined],
    });
    // Mixed: a flat "b.d" key holding an object.
    expect(scan(['b.d.e'], '{"b.d":{"e":5}}').values).toEqual([5]);
  });

  it('the last occurrence wins, as with JSON.parse', () => {
    expect(scan(['a'], '{"a":1,"a":2}').values).toEqual([2]);
    expect(scan(['a.b'], '{"a":{"b":1},"a":{"c":2},"a.b":3}').values).toEqual([3]);
  });

  it('escapes in keys and values', () => {
    expect(scan(['key', 'q'], '{"k\\u0065y":"a\\"b\\\\","q":"\\u00e9\\n"}').values).toEqual(['a"b\\', 'é\n']);
  });

  it('refuses what is not exactly one object', () => {
    for (const bad of [
      '',
      '{',
      '{"a"}',
      '{"a":}',
      '{"a":1,}',
      '{"a":1} x',
      '[1]',
      '{"a":01}',
      '{"a":1.}',
      '{"a":tru}',
      '{"a":"x}',
      '{a:1}',
      '{"a":1 "b":2}',
      '{"a":[1,]}',
    ])
      expect(scan(['a'], bad).ok, bad).toBe(false);
    expect(scan(['a'], '{ "a" : 1 , "b" : [ ] , "c" : { } }  ').ok).toBe(true);
  });

  it(`refuses nesting deeper than ${MAX_DEPTH}`, () => {
    const deep = (n: number): string => `{"a":${'['.repeat(n - 1)}${']'.repeat(n - 1)}}`;
    expect(scan(['a'], deep(MAX_DEPTH)).ok).toBe(true);
    expect(scan(['a'], deep(MAX_DEPTH + 1)).ok).toBe(false);
  });

  it('agrees with JSON.parse on generated objects (validity and values)', () => {
    const rnd = seededRandom(7);
    const keys = ['a', 'b', 'c', 'id.orig_h', 'src_ip']; // one dotted key whose head is never a key: no ambiguity
    const leaf = (): unknown =>
      [1, -2.5, 0, 'str', 'q"uo\\te', '\u00e9\u4e2d', true, false, null, [1, 'x', {}]][rnd.int(10)];
    const gen = (depth: number): unknown => {
      if (depth > 3 || rnd.int(3) === 0) return leaf();
      const o: Record<string, unknown> = {};
      for (let i = rnd.int(4); i >= 0; i--) o[keys[rnd.int(keys.length)]!] = gen(depth + 1);
      return o;
    };
    const paths = ['a', 'b', 'a.b', 'a.b.c', 'c.a', 'src_ip', 'b.a.b', 'id.orig_h', 'c.id.orig_h'];
    for (let n = 0; n < 3000; n++) {
      const o = { [keys[rnd.int(keys.length)]!]: gen(0) };
      const text = JSON.stringify(o, null, rnd.int(2) === 0 ? undefined : 1).replaceAll('\n', ' ');
      const got = scan(paths, text);
      expect(got.ok).toBe(true);
      expect(got.values, text).toEqual(paths.map((p) => lookup(o, p)));
      // Mangled copies: whenever JSON.parse accepts an object, so does the scanner; and vice versa for
      // text without backslashes or control characters (the scanner does not check escapes).
      const b = Buffer.from(text);
      b[rnd.int(b.length)] = [34, 123, 125, 44, 58, 91, 93, 48, 32][rnd.int(9)]!;
      const mangled = b.toString('latin1');
      let parsed = false;
      try {
        const v = JSON.parse(mangled) as unknown;
        parsed = typeof v === 'object' && v !== null && !Array.isArray(v);
      } catch {
        parsed = false;
      }
      const mb = Buffer.from(mangled);
      const scanned = new JsonScanner(paths).scan(mb, 0, mb.length);
      if (parsed) expect(scanned, mangled).toBe(true);
      // eslint-disable-next-line no-control-regex
      else if (!/[\\\u0000-\u001f]/.test(mangled)) expect(scanned, mangled).toBe(false);
    }
  });

  it('reads only [start, end): the bytes after belong to the next line', () => {
    const sc = new JsonScanner(['a']);
    const buf = Buffer.from('{"a":12}34}');
    expect(sc.scan(buf, 0, 8)).toBe(true);
    expect(buf.toString('latin1', sc.vs[0], sc.ve[0])).toBe('12');
    expect(sc.scan(buf, 0, 7)).toBe(false);
    const s = Buffer.from('{"a":"x');
    expect(new JsonScanner(['a']).scan(Buffer.concat([s, Buffer.from('"}')]), 0, s.length)).toBe(false);
  });
});
