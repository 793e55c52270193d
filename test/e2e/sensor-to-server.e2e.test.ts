/**
 * The real `stormwatch sensor` process reads real third-party netfilter logs and uploads them to a real
 * `stormwatch server` process; the per-port counts the API reports must equal counts computed here, independently,
 * from the file. Also: the server stopped while the sensor runs, then restarted: every event arrives once.
 */
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SeriesResponse } from '../../src/protocol/api-types.js';
import { enrollWithCli, freePort, getJson, pollUntil, runCli, sleep, startCli, ROOT } from './cli.js';
import type { Running } from './cli.js';

const FIXTURES = join(ROOT, '..', 'shared', 'fixtures', 'real', 'iptables');
const SYN_SCAN = join(FIXTURES, 'psad-syn_scan_1000_1500');
const UDP_SCAN = join(FIXTURES, 'psad-udp_scan_1000_1150');
const have = existsSync(SYN_SCAN) && existsSync(UDP_SCAN);
if (!have)
  console.warn(
    `skipping sensor e2e: ${FIXTURES} is absent (../shared is not checked out beside the project)`,
  );

/** Independent count: lines per destination port, by a plain regex over the file (PROTO must match). */
function countByPort(text: string, proto: string): Map<number, number> {
  const counts = new Map<number, number>();
  for (const line of text.split('\n')) {
    const m = /PROTO=(\w+) .*?DPT=(\d+)/.exec(line);
    if (!m || m[1] !== proto) continue;
    const port = Number(m[2]);
    counts.set(port, (counts.get(port) ?? 0) + 1);
  }
  return counts;
}

async function seriesTotal(url: string, proto: string, port: number): Promise<number> {
  // The psad captures carry year-less stamps (11 March); the sensor places them in the last year, so a daily
  // window from 400 days ago to tomorrow covers them.
  const day = 86_400_000;
  const from = new Date(Math.floor(Date.now() / day - 400) * day).toISOString();
  const to = new Date(Math.floor(Date.now() / day + 2) * day).toISOString();
  const res = await getJson<SeriesResponse>(
    `${url}/api/v1/ports/${proto}/${port}/series?bucket=1d&from=${from}&to=${to}`,
  );
  return res.items.reduce((s, p) => s + p.events, 0);
}

describe.skipIf(!have)('sensor process to server process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-e2e-'));
  let server: Running;
  let url = '';
  let port = 0;

  const startServer = async (): Promise<void> => {
    server = startCli(['server', '--port', String(port), '--data', join(dir, 'server')]);
    await server.waitFor(/Dashboard: http/, 60_000);
  };

  beforeAll(async () => {
    port = await freePort();
    url = `http://127.0.0.1:${port}`;
    await startServer();
  }, 90_000);

  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const enroll = async (name: string): Promise<string> => {
    const sdir = join(dir, name);
    const { token, output } = await enrollWithCli({
      serverData: join(dir, 'server'),
      url,
      sensorData: sdir,
      name,
    });
    expect(token).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    expect(output).toMatch(/s_[a-z0-9]+/);
    return sdir;
  };

  it('counts every port of a real SYN scan exactly as the file says', async () => {
    const sdir = await enroll('syn-scan');
    const out = await runCli([
      'sensor',
      'run',
      '--once',
      '--server',
      url,
      '--data',
      sdir,
      '--file',
      SYN_SCAN,
      '--start',
      'beginning',
      '--include-private-sources',
    ]);
    expect(out).toMatch(/acked/i);
    const expected = countByPort(readFileSync(SYN_SCAN, 'utf8'), 'TCP');
    expect(expected.size).toBe(501);
    for (const [p, n] of expected) {
      expect(
        await pollUntil(
          async () => {
            const got = await seriesTotal(url, 'tcp', p);
            return got === n ? got : undefined;
          },
          10_000,
          `tcp/${p} to reach ${n}`,
        ),
      ).toBe(n);
    }
  }, 120_000);

  it('delivers every event exactly once across a server stop and restart', async () => {
    const sdir = await enroll('restart');
    const lines = readFileSync(UDP_SCAN, 'utf8')
      .split('\n')
      .filter((l) => l.includes('PROTO=UDP'));
    const half = Math.floor(lines.length / 2);
    const log = join(dir, 'follow.log');
    writeFileSync(log, lines.slice(0, half).join('\n') + '\n');
    const sensor = startCli([
      'sensor',
      'run',
      '--server',
      url,
      '--data',
      sdir,
      '--file',
      log,
      '--start',
      'beginning',
      '--include-private-sources',
    ]);
    try {
      const expectedAll = countByPort(lines.join('\n'), 'UDP');
      const firstPort = [...countByPort(lines.slice(0, half).join('\n'), 'UDP').keys()][0] ?? 0;
      await pollUntil(
        async () => ((await seriesTotal(url, 'udp', firstPort)) > 0 ? true : undefined),
        30_000,
        'first half',
      );
      await server.stop('SIGKILL');
      appendFileSync(log, lines.slice(half).join('\n') + '\n');
      await sleep(2_000); // the sensor reads, spools and fails to upload while the server is down
      await startServer();
      for (const [p, n] of expectedAll) {
        const got = await pollUntil(
          async () => {
            const v = await seriesTotal(url, 'udp', p);
            return v >= n ? v : undefined;
          },
          60_000,
          `udp/${p} to reach ${n}`,
        );
        expect(got).toBe(n);
      }
    } finally {
      await sensor.stop();
    }
  }, 180_000);
});
