/**
 * The line-input contract (rules in input.ts) as a reusable suite: contract.test.ts runs it for every registered
 * line input; a new format's own tests may call it before the format is registered.
 */
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../core/random.js';
import { eventSchema } from '../../protocol/batch.js';
import type { ParseResult } from './input.js';
import type { LineInputDefinition } from './registry.js';

const ctx = { now: Date.UTC(2024, 5, 1) };

/** Lines derived from the examples: cut, spliced, bytes flipped, fields duplicated, random bytes. */
function fuzzLines(examples: readonly string[], n: number): Buffer[] {
  const rnd = seededRandom(42);
  const out: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const base = Buffer.from(examples[rnd.int(examples.length)] ?? '');
    const b = Buffer.from(base);
    switch (rnd.int(5)) {
      case 0:
        out.push(b.subarray(0, rnd.int(b.length + 1)));
        break;
      case 1:
        for (let k = 0; k < 1 + rnd.int(4); k++) b[rnd.int(b.length)] = rnd.int(256);
        out.push(b);
        break;
      case 2: {
        const at = rnd.int(b.length);
        out.push(Buffer.concat([b.subarray(0, at), b.subarray(rnd.int(b.length))]));
        break;
      }
      case 3:
        out.push(Buffer.from(Array.from({ length: rnd.int(300) }, () => rnd.int(256))));
        break;
      default:
        out.push(Buffer.from(`${base.toString()} ${base.toString().slice(rnd.int(base.length))}`));
    }
  }
  return out;
}

function check(r: ParseResult): void {
  if (r.kind === 'event') {
    const parsed = eventSchema.safeParse(JSON.parse(JSON.stringify(r.event)));
    expect(parsed.success, JSON.stringify(r.event)).toBe(true);
  } else {
    expect(r.reason).toMatch(/^[a-z][a-z0-9_]*$/);
  }
}

/** Declares the contract suite for one line input definition. */
export function describeLineInputContract(def: LineInputDefinition): void {
  describe(`input contract: ${def.type}`, () => {
    const parser = def.createParser({ timezone: 'utc' });

    it('turns every example into a valid event', () => {
      expect(def.examples.length).toBeGreaterThan(0);
      for (const line of def.examples) {
        const r = parser.parseLine(line, ctx);
        expect(r.kind, line).toBe('event');
        check(r);
      }
    });

    it('never throws on mangled or random lines, and every result is well-formed', () => {
      for (const buf of fuzzLines(def.examples, 20_000)) {
        let r: ParseResult | undefined;
        expect(() => (r = parser.parseBytes(buf, 0, buf.length, ctx))).not.toThrow();
        check(r!);
      }
    });

    it('gives the same result for a string as for its bytes, and keeps nothing of the buffer', () => {
      for (const buf of fuzzLines(def.examples, 2000)) {
        const text = buf.toString('utf8');
        const bytes = Buffer.from(text, 'utf8');
        const fromBytes = parser.parseBytes(bytes, 0, bytes.length, ctx);
        const copy = JSON.stringify(fromBytes);
        bytes.fill(0x20);
        expect(JSON.stringify(fromBytes)).toBe(copy);
        expect(parser.parseLine(text, ctx)).toEqual(JSON.parse(copy));
      }
    });

    it('never reads past the end it was given (the bytes after belong to the next line)', () => {
      const rnd = seededRandom(3);
      const tails = [...def.examples, '=', ':00 +0200', 'N URGP=0', '.5Z', '::1', '0 ', 'SYN', '9'];
      for (const line of fuzzLines(def.examples, 5000)) {
        const alone = parser.parseBytes(Buffer.from(line), 0, line.length, ctx);
        const tail = tails[rnd.int(tails.length)] ?? '';
        const joined = Buffer.concat([line, Buffer.from(tail)]);
        expect(parser.parseBytes(joined, 0, line.length, ctx)).toEqual(alone);
      }
    });
  });
}
