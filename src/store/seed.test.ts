import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadOrCreateSeed, SEED_FILE } from './seed.js';

const root = mkdtempSync(join(tmpdir(), 'sw-seed-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('loadOrCreateSeed', () => {
  it('creates 16 random bytes once, mode 0600, and returns the same bytes afterwards', () => {
    const dir = join(root, 'a', 'data');
    const first = loadOrCreateSeed(dir);
    expect(first).toHaveLength(16);
    expect(statSync(join(dir, SEED_FILE)).mode & 0o777).toBe(0o600);
    expect(loadOrCreateSeed(dir)).toEqual(first);
    expect(loadOrCreateSeed(join(root, 'b'))).not.toEqual(first);
  });

  it('refuses a seed file of the wrong length instead of replacing it', () => {
    const dir = join(root, 'c');
    loadOrCreateSeed(dir);
    writeFileSync(join(dir, SEED_FILE), 'short');
    expect(() => loadOrCreateSeed(dir)).toThrow(/expected 16/);
  });
});
