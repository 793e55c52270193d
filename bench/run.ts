/**
 * `npm run bench`: runs every benchmark, prints a table and writes bench/results.json ([{name, value, unit}]),
 * so results can be compared from one commit to the next. Never part of `npm test`.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { benchAggregate } from './aggregate.bench.js';
import { benchDistinct } from './distinct.bench.js';
import type { Figure } from './figures.js';
import { benchIngest } from './ingest.bench.js';
import { benchSensorFollow } from './sensor-follow.bench.js';
import { benchSensorFormats } from './sensor-formats.bench.js';
import { benchSensorParse } from './sensor-parse.bench.js';
import { benchValidate } from './validate.bench.js';

const figures: Figure[] = [];
/** `npm run bench -- ingest query`: only the cases whose label contains one of the words (default: all). */
const only = process.argv.slice(2);
const run = async (label: string, fn: () => Figure[] | Promise<Figure[]>): Promise<void> => {
  if (only.length > 0 && !only.some((w) => label.includes(w))) return;
  process.stderr.write(`bench: ${label}...\n`);
  figures.push(...(await fn()));
};

await run('sensor parse', () => benchSensorParse());
await run('sensor formats', () => benchSensorFormats());
await run('sensor process', () => benchSensorFollow());
await run('distinct counter', () => benchDistinct());
await run('geo lookup', async () => (await import('./geo.bench.js')).benchGeo());
await run('submission validation', () => benchValidate());
await run('aggregation engine', () => benchAggregate());
await run('end-to-end ingest', () => benchIngest());
await run('queries on a year', async () => (await import('./query.bench.js')).benchQuery());
await run('detection engine', async () => (await import('./detect.bench.js')).benchDetect());
await run('import (marx file)', async () => (await import('./import.bench.js')).benchImport());

const width = Math.max(...figures.map((f) => f.name.length));
const lines = [
  `${'benchmark'.padEnd(width)}  ${'value'.padStart(14)}  unit`,
  `${'-'.repeat(width)}  ${'-'.repeat(14)}  ----`,
];
for (const f of figures)
  lines.push(`${f.name.padEnd(width)}  ${f.value.toLocaleString('en-US').padStart(14)}  ${f.unit}`);
process.stdout.write(lines.join('\n') + '\n');
const out = fileURLToPath(new URL('./results.json', import.meta.url));
writeFileSync(out, JSON.stringify(figures, null, 2) + '\n');
process.stdout.write(`\nwrote ${out}\n`);
