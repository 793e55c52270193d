import { describe, expect, it } from 'vitest';
import { seededRandom } from '../core/random.js';
import { loadColumns } from './columns.js';
import { permuteIPv4, unpermuteIPv4 } from './feistel.js';
import { buildFleet, DAY_MS } from './fleet.js';
import { background, utc, writeEvents } from './fixtures.test-helpers.js';

describe('permuteIPv4', () => {
  it('is a bijection: inverse recovers every address, no collisions on a sample, and keys differ', () => {
    const rnd = seededRandom(3);
    const seen = new Set<number>();
    let moved = 0;
    for (let i = 0; i < 20_000; i++) {
      const ip = Math.floor(rnd.next() * 2 ** 32);
      const p = permuteIPv4(ip, 42);
      expect(unpermuteIPv4(p, 42)).toBe(ip);
      seen.add(p);
      if (permuteIPv4(ip, 43) !== p) moved++;
    }
    expect(seen.size).toBe(20_000);
    expect(moved).toBeGreaterThan(19_900);
  });
});

describe('buildFleet', () => {
  it('clones into copies that keep per-copy counts and distinct sources, with operators split per copy', async () => {
    const hosts = ['a', 'b', 'c', 'd', 'e', 'f'];
    const lines = background(hosts, 4, 2);
    // one source seen by three sensors: must stay one source in each copy
    lines.push(
      `${utc(Date.UTC(2013, 2, 4, 5))},a,7,TCP,,1,445`,
      `${utc(Date.UTC(2013, 2, 4, 5))},b,7,TCP,,1,445`,
    );
    lines.push(`${utc(Date.UTC(2013, 2, 4, 5))},c,7,TCP,,1,445`);
    const cols = await loadColumns(writeEvents(lines));
    const { fleet, table } = buildFleet(cols, {
      copies: 4,
      operators_per_copy: 3,
      seed: 9,
      map_sources: true,
    });
    expect(fleet.sensors.length).toBe(24);
    expect(fleet.operators.length).toBe(12);
    expect(table.src.length).toBe(cols.t.length * 4);
    expect(table.offsets[table.buckets]).toBe(table.src.length);
    for (let c = 0; c < 4; c++) {
      const mine: number[] = [];
      for (let i = 0; i < table.src.length; i++)
        if (Math.floor((table.sensor[i] ?? 0) / 6) === c) mine.push(i);
      expect(mine.length).toBe(cols.t.length);
      expect(new Set(mine.map((i) => table.src[i])).size).toBe(new Set(cols.src).size);
      const on445 = mine.filter((i) => (table.key[i] ?? 0) % 65536 === 445);
      expect(new Set(on445.map((i) => table.src[i])).size).toBe(1);
      expect(new Set(on445.map((i) => table.sensor[i])).size).toBe(3);
    }
    expect(fleet.days).toBe(4);
    for (let c = 1; c < 4; c++) expect(fleet.shifts[c]).toBeGreaterThan(0);
    // events of a copy are its file events shifted by whole days, wrapped in the range
    const perDay = (c: number): number[] => {
      const out = [0, 0, 0, 0];
      for (let b = 0; b < table.buckets; b++) {
        for (let i = table.offsets[b] ?? 0; i < (table.offsets[b + 1] ?? 0); i++) {
          if (Math.floor((table.sensor[i] ?? 0) / 6) === c) out[Math.floor((b * 300_000) / DAY_MS)]! += 1;
        }
      }
      return out;
    };
    const base = perDay(0);
    const s = fleet.shifts[1] ?? 0;
    expect(perDay(1)).toEqual(base.map((_, d) => base[(d - s + 4) % 4]));
  });
});
