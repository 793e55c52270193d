/** docs/ERRORS.md documents exactly the codes of src/core/errors.ts, each with its status. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../core/errors.js';
import { PACKAGE_ROOT } from './package-info.js';

describe('docs/ERRORS.md', () => {
  const rows = readFileSync(join(PACKAGE_ROOT, 'docs', 'ERRORS.md'), 'utf8')
    .split('\n')
    .map((line) => /^\|\s*`(SW_[A-Z_]+)`\s*\|\s*(\d{3})\s*\|\s*(.+?)\s*\|\s*$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ code: m[1] ?? '', status: Number(m[2]), meaning: m[3] ?? '' }));

  it('has one row per code, with the code status and a meaning', () => {
    expect(rows.map((r) => r.code).sort()).toEqual(Object.keys(ERROR_CODES).sort());
    for (const r of rows) {
      expect(r.status, r.code).toBe(ERROR_CODES[r.code as keyof typeof ERROR_CODES].status);
      expect(r.meaning.length, r.code).toBeGreaterThan(10);
    }
  });
});
