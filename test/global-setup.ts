/**
 * Runs once before the suite: builds the dashboard when web/dist is missing, so that the end-to-end tests can
 * load the page served by a real server process.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  if (existsSync(`${root}/web/index.html`) && !existsSync(`${root}/web/dist/index.html`)) {
    execFileSync('npx', ['vite', 'build', 'web', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  }
}
