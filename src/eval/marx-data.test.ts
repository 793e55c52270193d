import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readEvents } from './csv-events.js';

const MARX = resolve(import.meta.dirname, '../../../shared/data/marx/marx.csv.gz');
const present = existsSync(MARX);
if (!present) console.warn(`skipping the marx data test: ${MARX} is absent`);

describe.skipIf(!present)('the marx file', () => {
  it('reads all 451,581 rows with no rejection, from 9 sensors', async () => {
    const hosts = new Set<string>();
    const stats = await readEvents(MARX, (e) => hosts.add(e.host));
    expect(stats.accepted).toBe(451_581);
    expect(stats.rejected).toBe(0);
    expect(hosts.size).toBe(9);
  }, 20_000);
});
