#!/usr/bin/env node
// Launcher: runs the compiled CLI (npm run build makes dist/).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const compiled = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
if (!existsSync(compiled)) {
  console.error('stormwatch: dist/ is missing; run `npm run build` first (npm start does this for you)');
  process.exit(1);
}
await import(compiled);
