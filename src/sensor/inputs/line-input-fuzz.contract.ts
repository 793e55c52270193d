/**
 * The property test of every registered line input (run by fuzz-0.test.ts and fuzz-1.test.ts, half each): a million random and mutated lines each (seeded, so a failure
 * repeats), built from the format's real fixture lines (../shared/fixtures/real) and its examples. Properties: no
 * throw, no hang (the test's time limit), and no event with an invalid address, port, time or protocol.
 * Mutations aim at what breaks parsers: cut lines, flipped bytes, spliced lines, numbers made huge or negative,
 * addresses made impossible, fields repeated, long runs of one byte, random bytes, non-ASCII text.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PROTOCOLS } from '../../core/event.js';
import type { AttackEvent } from '../../core/event.js';
import { seededRandom } from '../../core/random.js';
import type { Random } from '../../core/random.js';
import { eventSchema } from '../../protocol/batch.js';
import { canonicalIp } from '../net/ip.js';
import { LINE_INPUTS } from './registry.js';
import type { LineInputDefinition } from './registry.js';

const LINES_PER_INPUT = 1_000_000;
const REAL = fileURLToPath(new URL('../../../../shared/fixtures/real/', import.meta.url));
const FIXTURE_DIR: Record<string, string> = { 'cowrie-text': 'cowrie', jsonl: 'zeek', csv: 'zeek' };
if (!existsSync(REAL)) console.warn(`fuzz seeds from real fixtures skipped (${REAL} absent): examples only`);

function seeds(def: LineInputDefinition): string[] {
  const out = [...def.examples];
  const dir = join(REAL, FIXTURE_DIR[def.type] ?? def.type);
  if (existsSync(dir))
    for (const f of readdirSync(dir)) {
      const text = readFileSync(join(dir, f), 'latin1');
      if (text.includes('\0')) continue;
      for (const l of text.split('\n')) if (l.length > 0 && l.length < 20_000) out.push(l);
    }
  return out;
}

const PROTOS = new Set<string>(PROTOCOLS);
const ODD = [
  '999',
  '65536',
  '-1',
  '4294967296',
  '1e309',
  'NaN',
  '0x',
  '::::',
  '1.2.3',
  '256.1.1.1',
  'fe80::1%eth0',
  '\u00e9\u4e2d',
  '\\',
  '"',
  '{',
  '[',
  ',',
  '=',
  ' ',
  '\t',
  '\r',
];

function mutate(rnd: Random, base: string, other: string): string {
  switch (rnd.int(10)) {
    case 0:
      return base.slice(0, rnd.int(base.length + 1));
    case 1: {
      const a = base.split('');
      for (let k = 0; k < 1 + rnd.int(6); k++) a[rnd.int(a.length)] = String.fromCharCode(rnd.int(256));
      return a.join('');
    }
    case 2:
      return base.slice(0, rnd.int(base.length)) + other.slice(rnd.int(other.length));
    case 3:
      return base.replace(/\d+/g, (d) => (rnd.int(3) === 0 ? (ODD[rnd.int(6)] ?? d) : d));
    case 4:
      return base.replace(/\d+\.\d+\.\d+\.\d+|[0-9a-f]*:[0-9a-f:]+/i, ODD[6 + rnd.int(5)] ?? '');
    case 5: {
      const at = rnd.int(base.length);
      return base.slice(0, at) + base.slice(rnd.int(base.length)) + base.slice(at);
    }
    case 6: {
      const at = rnd.int(base.length);
      return (
        base.slice(0, at) +
        (ODD[rnd.int(ODD.length)] ?? '').repeat(1 + rnd.int(rnd.int(1000) === 0 ? 20_000 : 8)) +
        base.slice(at)
      );
    }
    case 7:
      return String.fromCharCode(...Array.from({ length: rnd.int(400) }, () => rnd.int(256)));
    case 8:
      return base.replace(/[:=,]/g, (c) => (rnd.int(4) === 0 ? '' : c));
    default:
      return base;
  }
}

function checkEvent(e: AttackEvent, full: boolean): void {
  const ok =
    Number.isSafeInteger(e.ts) &&
    e.ts >= 0 &&
    PROTOS.has(e.proto) &&
    Number.isInteger(e.port) &&
    e.port >= 0 &&
    e.port <= 65535 &&
    canonicalIp(e.src) === e.src &&
    (e.dst === undefined || canonicalIp(e.dst) === e.dst) &&
    (e.sport === undefined || (Number.isInteger(e.sport) && e.sport >= 0 && e.sport <= 65535));
  if (!ok || full) {
    const r = eventSchema.safeParse(JSON.parse(JSON.stringify(e)));
    expect(ok && r.success, `invalid event ${JSON.stringify(e)}`).toBe(true);
  }
}

/** Declares the fuzz test for the registered line inputs whose index modulo `of` is `part` (to use both cores). */
export function describeLineInputFuzz(part: number, of: number): void {
  describe.each(LINE_INPUTS.filter((_, i) => i % of === part).map((d) => ({ type: d.type, def: d })))(
    'fuzz: $type',
    ({ def }) => {
      it(`${LINES_PER_INPUT.toLocaleString('en-US')} random and mutated lines: no throw, no invalid event`, () => {
        const base = seeds(def);
        const rnd = seededRandom(0x5eed ^ def.type.length);
        const parser = def.createParser({ timezone: 'utc', options: def.optionsSchema?.parse({}) });
        const ctx = { now: Date.UTC(2025, 0, 1) };
        let events = 0;
        let done = 0;
        // Lines go through parseBytes in chunks of one buffer, as the follower hands them out.
        while (done < LINES_PER_INPUT) {
          const n = Math.min(10_000, LINES_PER_INPUT - done);
          const lines: string[] = [];
          for (let i = 0; i < n; i++) {
            const b = base[rnd.int(base.length)] ?? '';
            lines.push(mutate(rnd, b, base[rnd.int(base.length)] ?? '').replace(/\n/g, ' '));
          }
          const buf = Buffer.from(lines.join('\n'), 'latin1');
          let p = 0;
          for (let i = 0; i < n; i++) {
            let nl = buf.indexOf(10, p);
            if (nl < 0) nl = buf.length;
            const r = parser.parseBytes(buf, p, nl, ctx);
            if (r.kind === 'event') {
              events++;
              checkEvent(r.event, events % 97 === 0);
            } else if (!/^[a-z][a-z0-9_]*$/.test(r.reason)) {
              expect.fail(`bad reason ${JSON.stringify(r.reason)}`);
            }
            p = nl + 1;
          }
          done += n;
        }
        // The seeds are real lines, so a working parser finds events among the mutations.
        expect(events).toBeGreaterThan(0);
      }, 300_000);
    },
  );
}
