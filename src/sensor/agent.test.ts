/**
 * The whole sensor against a real HTTP server (testing/fake-server.ts): real log lines in a file → events at the
 * server exactly once, across growth, rotation, restarts and an unreachable server.
 */
import {
  appendFileSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, createServer as createNetServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../core/clock.js';
import { runSensorOnce, startSensor } from './agent.js';
import type { SensorHandle } from './agent.js';
import type { SubmissionBatch } from '../protocol/batch.js';
import { sensorConfigFromFlags, validateSensorConfig } from './config.js';
import type { SensorConfig } from './config.js';
import { enrollSensor } from './enroll.js';
import { FakeIngestServer } from './testing/fake-server.js';
import { formatStatus, readStatus } from './status.js';
import { IDENTITY_FILE, KEY_FILE } from './identity.js';

const logger = pino({ level: 'silent' });
const fixtures = fileURLToPath(new URL('../../../shared/fixtures/real/iptables/', import.meta.url));

let dir: string;
let server: FakeIngestServer;
let log: string;
let sensor: SensorHandle | undefined;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sw-agent-'));
  log = join(dir, 'kern.log');
  server = new FakeIngestServer();
  await server.listen();
  server.tokens.add('swe_agent_test_token_0001');
  await enrollSensor({
    serverUrl: server.url,
    token: 'swe_agent_test_token_0001',
    dataDir: join(dir, 'data'),
  });
});
afterEach(async () => {
  await sensor?.close();
  sensor = undefined;
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

function config(over: Partial<Record<keyof SensorConfig, unknown>> = {}): SensorConfig {
  const base = sensorConfigFromFlags({
    server: server.url,
    data: join(dir, 'data'),
    file: log,
    start: 'beginning',
    timezone: 'utc',
  });
  return validateSensorConfig({
    ...base,
    privacy: { ...base.privacy, exclude_private_sources: false },
    upload: {
      ...base.upload,
      flush_interval_ms: 50,
      backoff_base_ms: 20,
      backoff_max_ms: 100,
      timeout_ms: 2000,
    },
    spool: { ...base.spool, fsync_interval_ms: 20 },
    ...over,
  });
}

/** A synthetic SYN line from 198.18.0.x (benchmark range, public for this test: private sources are kept) to `port`. */
const line = (port: number, src = 9): string =>
  `Mar 11 20:35:11 gw kernel: [1.0] DROP IN=eth0 OUT= MAC= SRC=198.18.0.${src} DST=192.0.2.77 LEN=44 TOS=0x00 PREC=0x00 TTL=53 ID=1 PROTO=TCP SPT=40000 DPT=${port} WINDOW=1024 RES=0x00 SYN URGP=0\n`;
const lines = (from: number, to: number): string =>
  Array.from({ length: to - from }, (_, i) => line(from + i)).join('');
/**
 * The server's batches in spool order. Several are in flight at once (upload.max_in_flight), so they may arrive
 * out of order; batch ids are `<spool id>-<segment>-<offset>`, both numbers in base 36.
 */
const inSpoolOrder = (): SubmissionBatch[] => {
  const at = (b: SubmissionBatch): number[] =>
    b.batch_id
      .split('-')
      .slice(1)
      .map((x) => parseInt(x, 36));
  return [...server.batches.values()].sort((a, b) => {
    const [sa = 0, oa = 0] = at(a);
    const [sb = 0, ob = 0] = at(b);
    return sa - sb || oa - ob;
  });
};
const ports = (): number[] => inSpoolOrder().flatMap((b) => b.events.map((e) => e.port));
const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

describe('sensor agent', () => {
  it('follows a growing, rotated file; every event arrives once, dst masked', async () => {
    writeFileSync(log, lines(1, 101));
    sensor = await startSensor({ config: config(), logger, clock: systemClock });
    expect(await sensor.drain(10_000)).toBe(true);
    expect(ports()).toEqual(range(1, 101));
    appendFileSync(log, lines(101, 150) + line(150).slice(0, 40)); // a partial last line
    expect(await sensor.drain(10_000)).toBe(true);
    expect(ports()).toEqual(range(1, 150));
    appendFileSync(log, line(150).slice(40));
    renameSync(log, `${log}.1`);
    writeFileSync(log, lines(151, 201));
    expect(await sensor.drain(10_000)).toBe(true);
    expect(ports()).toEqual(range(1, 201));
    expect(server.duplicates).toBe(0);
    expect(new Set(server.events().map((e) => e.dst))).toEqual(new Set(['192.0.2.0']));
    const st = sensor.stats();
    expect(st).toMatchObject({
      lines_read: 200,
      events_parsed: 200,
      spooled_events: 200,
      uploaded_events: 200,
      backlog_events: 0,
      dropped_events: 0,
    });
    expect(st.inputs[0]?.counters.rotations).toBe(1);
  });

  it('resumes after a restart where it stopped: no line lost, none sent twice', async () => {
    writeFileSync(log, lines(1, 51));
    sensor = await startSensor({ config: config(), logger, clock: systemClock });
    expect(await sensor.drain(10_000)).toBe(true);
    await sensor.close();
    appendFileSync(log, lines(51, 81));
    sensor = await startSensor({ config: config(), logger, clock: systemClock });
    expect(await sensor.drain(10_000)).toBe(true);
    expect(ports()).toEqual(range(1, 81));
    expect(server.duplicates).toBe(0);
  });

  it('keeps events spooled while the server is down and delivers them after a restart', async () => {
    const url = server.url;
    await server.close();
    writeFileSync(log, lines(1, 41));
    sensor = await startSensor({ config: config({ server_url: url }), logger, clock: systemClock });
    expect(await sensor.drain(300)).toBe(false);
    expect(sensor.stats()).toMatchObject({ spooled_events: 40, backlog_events: 40 });
    expect(sensor.stats().upload_failures.network).toBeGreaterThan(0);
    await sensor.close();
    await server.listen(Number(new URL(url).port));
    sensor = await startSensor({ config: config({ server_url: url }), logger, clock: systemClock });
    expect(await sensor.drain(10_000)).toBe(true);
    expect(ports()).toEqual(range(1, 41));
  });

  it('batches by max_batch_events and sends the counters with the batches', async () => {
    writeFileSync(
      log,
      `${lines(1, 26)}garbage line\n${line(26).replace('SRC=198.18.0.9', 'SRC=198.18.0.999')}${line(27).replace('IN=eth0', 'IN=lo')}`,
    );
    const cfg = config();
    sensor = await startSensor({
      config: validateSensorConfig({ ...cfg, upload: { ...cfg.upload, max_batch_events: 10 } }),
      logger,
      clock: systemClock,
    });
    expect(await sensor.drain(10_000)).toBe(true);
    expect(
      inSpoolOrder()
        .slice(0, 2)
        .map((b) => b.events.length),
    ).toEqual([10, 10]);
    const totals: Record<string, number> = {};
    for (const b of server.batches.values())
      for (const [k, v] of Object.entries(b.stats ?? {})) totals[k] = (totals[k] ?? 0) + v;
    expect(totals).toMatchObject({ lines: 28, malformed: 1, skipped: 2 });
    const st = sensor.stats();
    expect(st.malformed).toEqual({ bad_src: 1 });
    expect(st.skipped).toEqual({ not_firewall: 1, loopback: 1 });
    expect(st.inputs[0]?.malformed_samples).toEqual([
      { reason: 'bad_src', line: line(26).replace('SRC=198.18.0.9', 'SRC=198.18.0.999').trim() },
    ]);
  });

  it('excludes private sources by default and counts them', async () => {
    writeFileSync(
      log,
      line(22).replace('198.18.0.9', '192.168.1.5') + line(23).replace('198.18.0.9', '8.8.8.8'),
    );
    const base = config();
    sensor = await startSensor({
      config: validateSensorConfig({ ...base, privacy: { ...base.privacy, exclude_private_sources: true } }),
      logger,
      clock: systemClock,
    });
    expect(await sensor.drain(10_000)).toBe(true);
    expect(server.events().map((e) => e.src)).toEqual(['8.8.8.8']);
    expect(sensor.stats().excluded).toEqual({ private: 1 });
  });

  it('refuses to start without enrolment', async () => {
    rmSync(join(dir, 'data', 'identity.json'));
    await expect(startSensor({ config: config(), logger, clock: systemClock })).rejects.toMatchObject({
      code: 'SW_CONFIG_INVALID',
    });
  });

  describe.skipIf(!existsSync(fixtures))('on real fixtures', () => {
    it('--once: every TCP attempt of psad-syn_scan_1000_1500 reaches the server once', async () => {
      copyFileSync(join(fixtures, 'psad-syn_scan_1000_1500'), log);
      const text = readFileSync(log, 'utf8');
      const want = [...text.matchAll(/DPT=(\d+)/g)].map((m) => Number(m[1]));
      const { drained, stats } = await runSensorOnce({
        config: config(),
        logger,
        clock: systemClock,
        timeoutMs: 10_000,
      });
      expect(drained).toBe(true);
      expect(ports()).toEqual(want);
      expect(new Set(server.events().map((e) => `${e.src} ${e.dst} ${e.flags}`))).toEqual(
        new Set(['192.168.10.55 192.168.10.0 S']),
      );
      expect(stats).toMatchObject({
        lines_read: want.length,
        uploaded_events: want.length,
        backlog_events: 0,
      });
    });

    it('--once on a whole folder of odd files: malformed lines counted with samples, nothing fatal', async () => {
      const names = [
        'hub-iptables-logs.log',
        'wazuh-iptables.ini.log',
        'hub-unifi-logs.log',
        'psad-ipv6_ping_scan',
      ];
      writeFileSync(log, names.map((n) => readFileSync(join(fixtures, n), 'utf8')).join(''));
      const { drained, stats } = await runSensorOnce({
        config: config(),
        logger,
        clock: systemClock,
        timeoutMs: 10_000,
      });
      expect(drained).toBe(true);
      expect(stats.malformed).toEqual({ missing_in: 1 });
      expect(stats.inputs[0]?.malformed_samples[0]?.line).toContain('XX=enp1s0');
      expect(stats.skipped.outbound).toBe(21);
      expect(server.events()).toHaveLength(stats.events_parsed);
    });
  });
});

describe('sensor status file and metrics endpoint', () => {
  it('writes status.json that `sensor status` reads, and serves Prometheus metrics on the configured port', async () => {
    writeFileSync(log, line(1025) + line(1025, 10) + 'garbage line\n' + line(445, 11));
    sensor = await startSensor({
      config: config({ metrics: { listen: '127.0.0.1:0' }, status_interval_ms: 50 }),
      logger,
      clock: systemClock,
    });
    expect(await sensor.drain(10_000)).toBe(true);
    const url = sensor.metricsUrl();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const text = await (await fetch(url!)).text();
    expect(text).toMatch(/^stormwatch_sensor_events_total\{input="iptables:.*kern\.log"\} 3$/m);
    expect(text).toMatch(/^stormwatch_sensor_uploaded_events_total 3$/m);
    expect(text).toMatch(/^stormwatch_sensor_skipped_total\{input=".*",reason="not_firewall"\} 1$/m);
    expect((await fetch(url!.replace('/metrics', '/other'))).status).toBe(404);
    // The status file is rewritten every 50 ms: wait for one written after the drain.
    const after = Date.now();
    let report = readStatus(join(dir, 'data'));
    while (Date.parse(report.written_at) < after) {
      await new Promise((r) => setTimeout(r, 20));
      report = readStatus(join(dir, 'data'));
    }
    expect(report.stats.acked_events).toBe(3);
    expect(report.stats.backlog_events).toBe(0);
    expect(report.last_ack_at).not.toBeNull();
    const text2 = formatStatus(report, Date.now());
    expect(text2).toContain('backlog: 0 events');
    expect(text2).toContain('skipped not_firewall=1');
    expect(formatStatus(report, Date.now() + 60_000)).toContain('NOT RUNNING?');
    await sensor.close();
    sensor = undefined;
    // After close nothing listens any more.
    await expect(fetch(url!)).rejects.toThrow();
  });

  it('refuses to start when the metrics port is taken, naming it', async () => {
    writeFileSync(log, '');
    const first = await startSensor({
      config: config({ metrics: { listen: '127.0.0.1:0' } }),
      logger,
      clock: systemClock,
    });
    const port = new URL(first.metricsUrl()!).port;
    mkdirSync(join(dir, 'data2'));
    for (const f of [IDENTITY_FILE, KEY_FILE]) copyFileSync(join(dir, 'data', f), join(dir, 'data2', f));
    try {
      await expect(
        startSensor({
          config: config({ metrics: { listen: `127.0.0.1:${port}` }, data_dir: join(dir, 'data2') }),
          logger,
          clock: systemClock,
        }),
      ).rejects.toThrow(/metrics.listen 127.0.0.1:\d+/);
    } finally {
      await first.close();
    }
  });
});

describe('sensor with a listener input', () => {
  it('records a TCP connection to a listener port, with its payload sample, and uploads it', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createNetServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const base = config();
    sensor = await startSensor({
      config: validateSensorConfig({
        ...base,
        inputs: [
          {
            type: 'tcp-listener',
            options: { ports: [port], addresses: ['127.0.0.1'], idle_timeout_ms: 200 },
          },
        ],
      }),
      logger,
      clock: systemClock,
    });
    await new Promise<void>((resolve, reject) => {
      const c = connect(port, '127.0.0.1', () => c.end('GET / HTTP/1.0\r\n\r\n'));
      c.on('close', () => resolve());
      c.on('error', reject);
    });
    const deadline = Date.now() + 10_000;
    while (server.events().length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const [e] = server.events();
    expect(e).toMatchObject({ proto: 'tcp', port, src: '127.0.0.1', handshake: true, flags: 'S' });
    expect(Buffer.from(e!.payload!.head, 'base64').toString()).toBe('GET / HTTP/1.0\r\n\r\n');
    expect(sensor.stats().inputs[0]?.key).toMatch(/^tcp-listener:\{"ports":\[\d+\]/);
  });
});
