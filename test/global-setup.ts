/**
 * Runs once before the suite: builds the dashboard when web/dist is missing, so that the end-to-end tests can
 * load the page served by a real server process (`npm ci && npm test` on a fresh clone has no build yet).
 * A failed build is reported, not fatal here: the page test then fails with its own message.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  if (!existsSync(`${root}/web/index.html`) || existsSync(`${root}/web/dist/index.html`)) return;
  try {
    execFileSync('npx', ['vite', 'build', 'web', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  } catch (err) {
    console.warn(`global setup: building the dashboard failed (${String(err)}); dashboard tests will fail`);
  }
}
