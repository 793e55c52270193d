#!/usr/bin/env -S node --max-semi-space-size=2 --max-old-space-size=64
// The sensor alone, with a small heap: `stormwatch-sensor run -c sensor.yaml` is `stormwatch sensor run -c
// sensor.yaml`. Node's default young generation (up to 48 MB) and lazy old-space growth would let a busy sensor
// reach 200+ MB resident; these limits keep it under 100 MB at the same speed (npm run bench measures both).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const compiled = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
if (!existsSync(compiled)) {
  console.error('stormwatch-sensor: dist/ is missing; run `npm run build` first');
  process.exit(1);
}
process.argv.splice(2, 0, 'sensor');
await import(compiled);
