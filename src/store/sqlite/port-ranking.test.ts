/**
 * topPorts against a brute-force merge of every row, on a small filled store: over days without spans, with
 * the day spans built, with a late change in a summarised day (before and after the rebuild), and over hours.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../store.js';
import { openSqliteStore } from './index.js';
import { DAY, HOUR, bruteTopPorts, randomCells, rng, writeCells } from './test-helpers.js';
import type { Cell } from './test-helpers.js';

const logger = pino({ level: 'silent' });
const seed = new Uint8Array(16).fill(3);
const D0 = Date.UTC(2024, 0, 3);
const DAYS = 75;
const NOW = D0 + (DAYS + 1) * DAY;
const dir = mkdtempSync(join(tmpdir(), 'sw-ranking-'));
const path = join(dir, 'store.db');
let store: Store;
let cells: Cell[];

beforeAll(() => {
  store = openSqliteStore({ path, seed, logger });
  cells = [...randomCells(11, '1d', D0, DAY, DAYS), ...randomCells(12, '1h', D0, HOUR, 30)];
  writeCells(store, cells);
});
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Windows of whole days, of odd edges and of almost all the data, with small and large limits. */
function windows(n: number): Array<[number, number, number]> {
  const r = rng(5);
  const out: Array<[number, number, number]> = [
    [D0, D0 + DAYS * DAY, 10],
    [D0 - 40 * DAY, NOW + 40 * DAY, 3],
    [D0 + 7 * DAY + 5, D0 + 70 * DAY - 5, 1],
    [D0, D0 + 64 * DAY, 100],
  ];
  for (let i = 0; i < n; i++) {
    const a = D0 + Math.floor(r() * DAYS) * DAY - (r() < 0.2 ? 1000 : 0);
    const b = a + Math.floor(1 + r() * (DAYS + 5)) * DAY;
    out.push([a, b, [1, 2, 5, 10, 25, 200][Math.floor(r() * 6)] ?? 5]);
  }
  return out;
}

function expectAllEqual(g: '1d' | '1h', list: Array<[number, number, number]>): void {
  for (const [from, to, limit] of list) {
    expect(store.topPorts(g, from, to, limit), `${g} ${from}..${to} top ${limit}`).toEqual(
      bruteTopPorts(cells, g, from, to, limit),
    );
  }
}

function spanBlocks(): number {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM span_blocks').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('topPorts equals the brute-force merge', () => {
  it('reads days from the 1d rows alone before any span exists', () => {
    expect(spanBlocks()).toBe(0);
    expectAllEqual('1d', windows(25));
  });

  it('reads days through the spans once maintain() built them, and builds nothing twice', () => {
    let steps = 0;
    for (let more = true; more;) {
      const r = store.maintain(NOW, 1);
      steps += r.steps;
      more = r.more;
    }
    expect(steps).toBeGreaterThan(10);
    expect(spanBlocks()).toBeGreaterThan(30);
    expect(store.maintain(NOW, 5)).toEqual({ steps: 0, more: false });
    expectAllEqual('1d', windows(60));
  });

  it('stays exact after a late change to a summarised day, before and after the rebuild', () => {
    const late = randomCells(99, '1d', D0 + 9 * DAY, DAY, 1).map((c) => ({ ...c, events: c.events + 1 }));
    for (const c of late) {
      const i = cells.findIndex(
        (x) => x.g === '1d' && x.bucket === c.bucket && x.proto === c.proto && x.port === c.port,
      );
      if (i >= 0) {
        const merged = c.src.clone();
        merged.merge((cells[i] as Cell).src);
        cells[i] = { ...c, src: merged, events: c.events + (cells[i] as Cell).events };
      } else {
        cells.push(c);
      }
    }
    writeCells(
      store,
      cells.filter((c) => c.g === '1d' && c.bucket === D0 + 9 * DAY),
    );
    expectAllEqual('1d', windows(30));
    const r = store.maintain(NOW, 1000);
    expect(r.more).toBe(false);
    expect(r.steps).toBeGreaterThan(0);
    expectAllEqual('1d', windows(30));
  });

  it('ranks hours (no spans) the same way', () => {
    const list: Array<[number, number, number]> = [
      [D0, D0 + 24 * HOUR, 5],
      [D0 + 3 * HOUR, D0 + 27 * HOUR, 1],
      [D0, D0 + 30 * HOUR, 1000],
      [D0 + 5 * HOUR, D0 + 6 * HOUR, 3],
    ];
    expectAllEqual('1h', list);
  });

  it('answers nothing for an empty window or limit', () => {
    expect(store.topPorts('1d', D0, D0, 5)).toEqual([]);
    expect(store.topPorts('1d', D0, NOW, 0)).toEqual([]);
    expect(store.topPorts('1d', NOW + DAY, NOW + 9 * DAY, 5)).toEqual([]);
  });
});
