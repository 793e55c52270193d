import { copyFileSync, mkdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TESTDATA, tempStore } from '../test-helpers.js';
import type { TempStore } from '../test-helpers.js';
import { DEFAULT_MAX_BYTES, importFile } from './run.js';
import { formatSummary } from './summary.js';

let t: TempStore;

beforeEach(() => {
  t = tempStore();
});
afterEach(() => t.close());

describe('importFile', () => {
  it('refuses a file over the limit before reading any of it', () => {
    // A sparse file over the NVD default of 2 GiB: made at once, and any read of it would take long.
    const huge = join(t.dir, 'huge.json');
    writeFileSync(huge, '{"vulnerabilities": [');
    truncateSync(huge, DEFAULT_MAX_BYTES.nvd + 1);
    const progress: number[] = [];
    expect(() => importFile('nvd', huge, t.store, { onProgress: (b) => progress.push(b) })).toThrow(
      /huge\.json: 2147483649 bytes, over the limit of 2147483648 bytes/,
    );
    expect(progress).toEqual([]);
    const small = join(t.dir, 'small.json');
    copyFileSync(join(TESTDATA, 'known_exploited_vulnerabilities.json'), small);
    expect(() => importFile('kev', small, t.store, { maxBytes: 1000 })).toThrow(
      /over the limit of 1000 bytes/,
    );
  });

  it('refuses what is not a readable regular file', () => {
    const dir = join(t.dir, 'a-folder');
    mkdirSync(dir);
    expect(() => importFile('kev', dir, t.store)).toThrow(/not a regular file/);
    expect(() => importFile('kev', join(t.dir, 'missing.json'), t.store)).toThrow(/cannot be read/);
  });

  it('reports progress in bytes up to the size of the file', () => {
    const seen: [number, number][] = [];
    const s = importFile('nvd', join(TESTDATA, 'nvdcve-2.0-sample.json'), t.store, {
      onProgress: (b, total) => seen.push([b, total]),
    });
    expect(seen.at(-1)).toEqual([s.bytes, s.bytes]);
    expect(seen.every(([b], i) => i === 0 || b > (seen[i - 1]?.[0] ?? 0))).toBe(true);
  });

  it('skips a record over the record limit and imports the others', () => {
    const s = importFile('nvd', join(TESTDATA, 'nvdcve-2.0-sample.json'), t.store, { maxRecordChars: 9000 });
    // CVE-2007-1748's record is the longer one (its 32 references)
    expect(s).toMatchObject({ records: 2, imported: 1, skipped: 1 });
    expect(s.skipped_by_reason).toEqual({ 'record over 9000 characters': 1 });
    expect(formatSummary(s)).toMatch(
      /2 records, 1 imported, 0 updated, 1 skipped\n {2}skipped 1: record over/,
    );
  });
});
