import { describe, expect, it } from 'vitest';
import { ORACLE_ALPHA, oracleDelay } from './oracle.js';

const D = 288;
/** The 24-hour ramp of scenarios.ts: b·(30^(t/24h) − 1) new sources a day, per 5m bucket. */
const ramp24 = (b: number) => (i: number) => (b / D) * (30 ** (i / D) - 1);

describe('oracle delay (an ideal detector at a generous α)', () => {
  it('never fires without an injection', () => {
    expect(oracleDelay(() => 0, D, 30)).toBeNull();
  });

  it('catches the 2007 step in its first hour', () => {
    expect(oracleDelay(() => 1470 / D, D, 30)).toBe(12);
  });

  it('cannot reach the 24-hour ramp on a quiet key within 14 hours, and can on a busy one', () => {
    const quiet = oracleDelay(ramp24(2), D, 2);
    expect(quiet === null || quiet > 14 * 12).toBe(true);
    const busy = oracleDelay(ramp24(200), D, 200);
    expect(busy).not.toBeNull();
    expect(busy!).toBeLessThanOrEqual(14 * 12);
  });

  it('fires later (never earlier) at a smaller α, and always on whole hours', () => {
    for (const b of [3, 10, 40, 150]) {
      const loose = oracleDelay(ramp24(b), D, b, ORACLE_ALPHA);
      const strict = oracleDelay(ramp24(b), D, b, ORACLE_ALPHA / 100);
      if (loose !== null) expect(loose % 12).toBe(0);
      if (strict !== null) {
        expect(loose).not.toBeNull();
        expect(strict).toBeGreaterThanOrEqual(loose!);
      }
    }
  });
});
