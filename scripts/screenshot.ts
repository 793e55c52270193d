/**
 * Takes the README's screenshot: runs `stormwatch demo` on a free port, waits for the TCP/1025 alert, loads the
 * dashboard in headless Chromium (Debian's /usr/bin/chromium) and writes docs/dashboard.png.
 * Usage: npx tsx scripts/screenshot.ts [out.png]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const out = process.argv[2] ?? 'docs/dashboard.png';
const dir = mkdtempSync(join(tmpdir(), 'sw-shot-'));
const demo = spawn(
  process.execPath,
  ['--import', 'tsx', 'src/cli/main.ts', 'demo', '--port', '0', '--data', join(dir, 'd')],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, STORMWATCH_LOG_LEVEL: 'warn' },
  },
);
let text = '';
demo.stdout.on('data', (d: Buffer) => (text += d.toString()));

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
try {
  let url = '';
  for (let i = 0; i < 600 && !url; i++) {
    url = /Dashboard: (http:\/\/\S+?)\/?\n/.exec(text)?.[1] ?? '';
    await sleep(200);
  }
  if (!url) throw new Error(`demo did not start:\n${text}`);
  for (let i = 0; i < 240; i++) {
    const res = (await (await fetch(`${url}/api/v1/alerts`)).json()) as { items: Array<{ port: number }> };
    if (res.items.some((a) => a.port === 1025)) break;
    await sleep(500);
  }
  await sleep(8_000); // a few more buckets of the outbreak on the chart
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(`${url}/`);
  await page.locator('[data-testid="alert-row"][data-port="1025"]').first().waitFor({ timeout: 30_000 });
  await sleep(1_500);
  await page.screenshot({ path: out, fullPage: true });
  await browser.close();
  console.log(`wrote ${out}`);
} finally {
  demo.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
