/**
 * `stormwatch import` and `stormwatch replay` against the real server (SQLite store and bus, signed submissions,
 * aggregation): a real slice of the marx data set imported by the CLI process, its per-port event counts read
 * back from the store equal to counts computed here from the rows, a re-import counting nothing twice, the data
 * folder refused while a server uses it; replay of a real iptables capture to a running server as one enrolled
 * sensor, a file with bad lines, and a server with a tiny rate limit that still gets everything.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer } from '../../src/api/server.js';
import type { ServerHandle } from '../../src/api/server.js';
import type { ServerConfig } from '../../src/api/config.js';
import { createEnrollmentTokenViaApi } from '../../src/protocol/client.js';
import { PRIVACY_DEFAULTS } from '../../src/sensor/privacy.js';
import { replayIdentity, runReplay } from '../../src/replay/replay.js';
import type { ReplayOptions } from '../../src/replay/replay.js';
import type { ReplaySummary } from '../../src/replay/summary.js';
import { ROOT, runCli } from './cli.js';

const MARX = join(ROOT, '..', 'shared', 'data', 'marx', 'marx.csv.gz');
const IPTABLES = join(ROOT, '..', 'shared', 'fixtures', 'real', 'iptables');
const SYN_SCAN = join(IPTABLES, 'psad-syn_scan_1000_1500');
const UDP_SCAN = join(IPTABLES, 'psad-udp_scan_1000_1150');
const haveMarx = existsSync(MARX);
const haveIptables = existsSync(SYN_SCAN) && existsSync(UDP_SCAN);
if (!haveMarx)
  console.warn(`skipping the marx import e2e: ${MARX} is absent (../shared is not beside the project)`);
if (!haveIptables) console.warn(`skipping the iptables replay e2e: ${IPTABLES} is absent`);

const dir = mkdtempSync(join(tmpdir(), 'sw-replay-e2e-'));
const logger = pino({ level: 'silent' });
const DAY = 86_400_000;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Events per `proto/port` in the store, over every day from the first to the last event. */
function storeCounts(server: ServerHandle, s: ReplaySummary): Map<string, number> {
  const from = Math.floor(Date.parse(s.first_event ?? '') / DAY) * DAY;
  const to = Math.floor(Date.parse(s.last_event ?? '') / DAY) * DAY + DAY;
  return new Map(
    server.store.topPorts('1d', from, to, 1_000_000).map((t) => [`${t.proto}/${t.port}`, t.events]),
  );
}

function add(m: Map<string, number>, k: string): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}

describe.skipIf(!haveMarx)('stormwatch import of a real marx slice', () => {
  const rows = haveMarx ? gunzipSync(readFileSync(MARX)).toString('utf8').split('\n').slice(0, 20_001) : [];
  const file = join(dir, 'marx-20k.csv');
  writeFileSync(file, rows.join('\n') + '\n');
  const data = join(dir, 'server-data');
  const args = [
    'import',
    file,
    '--format',
    'marx',
    '--data-dir',
    data,
    '--include-private-sources',
    '--json',
  ];

  /** Independent count from the rows: TCP/UDP by dpt, ICMP by type. */
  const expected = new Map<string, number>();
  for (const r of rows.slice(1)) {
    const [, , , proto, type, , dpt] = r.split(',');
    add(expected, `${proto?.toLowerCase()}/${proto === 'ICMP' ? type : dpt}`);
  }

  it('counts every row once per port, re-imports count nothing, a running server keeps it out', async () => {
    const first = JSON.parse(await runCli(args)) as ReplaySummary & {
      top_ports: Array<{ proto: string; port: number }>;
    };
    expect(first.accounted).toBe(true);
    expect(first.lines).toMatchObject({ read: 20_001, events: 20_000, refused: {} });
    expect(first.events).toMatchObject({ batched: 20_000, accepted: 20_000, refused: 0, not_sent: 0 });
    expect(first.sensors.map((s) => s.name).sort()).toEqual([
      'groucho-eu',
      'groucho-norcal',
      'groucho-oregon',
      'groucho-sa',
      'groucho-singapore',
      'groucho-sydney',
      'groucho-tokyo',
      'groucho-us-east',
      'zeppo-norcal',
    ]);
    expect(first.top_ports[0]).toMatchObject({ proto: 'tcp', port: 1433 });

    const second = JSON.parse(await runCli(args)) as ReplaySummary;
    expect(second.events).toMatchObject({ accepted: 0, duplicate: 20_000 });
    expect(second.sensors.every((s) => s.reused)).toBe(true);
    expect(second.sensors.map((s) => s.sensor_id).sort()).toEqual(
      first.sensors.map((s) => s.sensor_id).sort(),
    );

    const server = await startServer({ port: 0, dataDir: data, logger, webRoot: null });
    try {
      expect(storeCounts(server, first)).toEqual(expected);
      const refused = await runCli(args).then(
        () => '',
        (err: { stderr?: string }) => err.stderr ?? '',
      );
      expect(refused).toMatch(
        /data folder .* is in use: stormwatch server \(pid \d+ on .*\) holds .*stormwatch\.lock/,
      );
    } finally {
      await server.close();
    }
  }, 180_000);
});

/** A server on a fresh folder that accepts history, and a sensor folder enrolled on it by replay itself. */
async function serverAndSensor(
  name: string,
  config: Partial<ServerConfig> = {},
): Promise<{ server: ServerHandle; base: Omit<ReplayOptions, 'files'> }> {
  const server = await startServer({
    port: 0,
    dataDir: join(dir, `${name}-server`),
    logger,
    webRoot: null,
    config: { max_past_age_ms: null, ...config },
  });
  const { token } = await createEnrollmentTokenViaApi(server.url, server.adminToken, 'e2e');
  const credentials = await replayIdentity({
    serverUrl: server.url,
    dataDir: join(dir, `${name}-sensor`),
    token,
    name,
  });
  expect(credentials.enrolled).toBe(true);
  const base = {
    format: { format: 'iptables', timezone: 'utc' as const },
    credentials,
    warn: () => undefined,
    privacy: { ...PRIVACY_DEFAULTS, exclude_private_sources: false }, // the psad captures come from 192.168.10.55
    batchSize: 5000,
    concurrency: 2,
    strict: false,
    maxRetryMs: 60_000,
    maxFutureSkewMs: 600_000,
    maxPastAgeMs: null,
    progress: { update: () => undefined, done: () => undefined },
    logger,
  };
  return { server, base };
}

/** Lines per `proto/port` of netfilter lines, by a plain regex over the text. */
function countNetfilter(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of text.split('\n')) {
    const x = / IN=\S+ .*PROTO=(TCP|UDP) .*?DPT=(\d+)/.exec(line);
    if (x) add(m, `${x[1]?.toLowerCase()}/${x[2]}`);
  }
  return m;
}

/** The real CLI with `input` on its standard input; resolves with stdout, stderr and the exit code. */
function cliWithStdin(
  args: string[],
  input: Buffer,
): Promise<{ out: string; err: string; code: number | null }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, STORMWATCH_LOG_LEVEL: 'warn' },
  });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  proc.stdin.end(input);
  return new Promise((resolve) => proc.on('close', (code) => resolve({ out, err, code })));
}

describe.skipIf(!haveIptables)('stormwatch replay to a running server', () => {
  it('sends a real iptables capture as the enrolled sensor; the store counts each line once', async () => {
    const { server, base } = await serverAndSensor('psad');
    try {
      const files = [SYN_SCAN, UDP_SCAN];
      const s = await runReplay({ ...base, files });
      expect(s.accounted).toBe(true);
      expect(s.events.refused + s.events.not_sent).toBe(0);
      await server.drain();
      const expected = countNetfilter(files.map((f) => readFileSync(f, 'utf8')).join('\n'));
      expect(s.events.accepted).toBe([...expected.values()].reduce((a, b) => a + b, 0));
      expect(storeCounts(server, s)).toEqual(expected);
      // Again as the same sensor (the folder is enrolled now): all duplicates.
      const again = await runReplay({
        ...base,
        files,
        credentials: await replayIdentity({ serverUrl: server.url, dataDir: join(dir, 'psad-sensor') }),
      });
      expect(again.events).toMatchObject({ accepted: 0, duplicate: s.events.accepted });
      await server.drain();
      expect(storeCounts(server, s)).toEqual(expected);
    } finally {
      await server.close();
    }
  }, 60_000);

  it('reads standard input through the CLI process, gzip or not; the same stream again counts once', async () => {
    const { server } = await serverAndSensor('stdin');
    try {
      const text = readFileSync(UDP_SCAN);
      const args = [
        'replay',
        '-',
        '--format',
        'iptables',
        '--server',
        server.url,
        '--data',
        join(dir, 'stdin-sensor'),
      ];
      const run = async (input: Buffer): Promise<ReplaySummary> => {
        const r = await cliWithStdin([...args, '--include-private-sources', '--json'], input);
        expect(r.code, r.err).toBe(0);
        return JSON.parse(r.out) as ReplaySummary;
      };
      const first = await run(gzipSync(text));
      const expected = countNetfilter(text.toString('utf8'));
      const total = [...expected.values()].reduce((a, b) => a + b, 0);
      expect(first.files).toEqual([expect.objectContaining({ path: '-', sha256: null })]);
      expect(first.events).toMatchObject({ accepted: total, duplicate: 0 });
      const second = await run(text);
      expect(second.events).toMatchObject({ accepted: 0, duplicate: total });
      await server.drain();
      expect(storeCounts(server, first)).toEqual(expected);
    } finally {
      await server.close();
    }
  }, 60_000);

  it('accounts for a file with bad lines: good ones counted, bad ones refused with their line numbers', async () => {
    const { server, base } = await serverAndSensor('bad');
    try {
      const good = readFileSync(SYN_SCAN, 'utf8').split('\n').slice(0, 50);
      const lines = [
        ...good.slice(0, 10),
        'Mar 11 20:35:11 linux sshd[123]: Accepted publickey for root', // another program: skipped
        'Mar 11 20:35:11 linux kernel: DROP IN=eth1 OUT= SRC=300.1.1.1 DST=192.168.10.1 PROTO=TCP SPT=1 DPT=22', // bad source
        '',
        'x'.repeat(2 * 1024 * 1024), // longer than a line may be
        ...good.slice(10),
      ];
      const file = join(dir, 'bad.log');
      writeFileSync(file, lines.join('\n'));
      const s = await runReplay({ ...base, files: [file] });
      expect(s.accounted).toBe(true);
      expect(s.lines.read).toBe(lines.length);
      expect(s.lines.events).toBe(50);
      expect(s.refused_lines.map((r) => r.line)).toEqual([12, 14]);
      expect(s.refused_lines.map((r) => r.reason)).toContain('line_too_long');
      expect(s.lines.skipped).toMatchObject({ not_firewall: 1, empty: 1 });
      expect(s.events.accepted).toBe(50);
      await server.drain();
      expect([...storeCounts(server, s).values()].reduce((a, b) => a + b, 0)).toBe(50);
    } finally {
      await server.close();
    }
  }, 60_000);

  it('waits out a tiny rate limit (429 with Retry-After): every event arrives', async () => {
    const { server, base } = await serverAndSensor('slow', {
      rate_limit_burst: 1,
      rate_limit_refill_per_sec: 2,
    });
    try {
      const s = await runReplay({ ...base, files: [SYN_SCAN], batchSize: 200, concurrency: 2 });
      expect(s.accounted).toBe(true);
      expect(s.retries.http_429).toBeGreaterThan(0);
      expect(s.batches.refused).toBe(0);
      await server.drain();
      const expected = countNetfilter(readFileSync(SYN_SCAN, 'utf8'));
      expect(s.events.accepted).toBe([...expected.values()].reduce((a, b) => a + b, 0));
      expect(storeCounts(server, s)).toEqual(expected);
    } finally {
      await server.close();
    }
  }, 60_000);
});
