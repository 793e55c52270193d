/**
 * The sensor as users run it: a real `stormwatch-sensor run` process (built CLI, with the heap flags of
 * bin/stormwatch-sensor.js) follows a netfilter log that a writer process (follow-writer.ts) fills as fast as it
 * can (2,000,000 lines), spools and uploads to a receiver that verifies every signature and every event
 * with the server's own validation (src/sensor/testing/fake-server.ts, in this process). Three processes share
 * the two cores.
 * Measured: lines/s from the first write to the last acknowledgement (the sensor's end-to-end capacity), the
 * sensor's CPU per line, and its peak resident memory (VmRSS sampled every 100 ms from /proc).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateBatch } from '../src/ingest/validate.js';
import { enrollSensor } from '../src/sensor/enroll.js';
import { FakeIngestServer } from '../src/sensor/testing/fake-server.js';
import type { Figure } from './figures.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WRITER = fileURLToPath(new URL('./follow-writer.ts', import.meta.url));

/** User + system CPU seconds a process used so far (/proc/PID/stat fields 14 and 15, in clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

function rssKb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

export async function benchSensorFollow(total = 2_000_000): Promise<Figure[]> {
  if (!existsSync(join(ROOT, 'dist/cli/main.js')) || process.env.STORMWATCH_BENCH_BUILD !== '0')
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], {
      cwd: ROOT,
      stdio: 'inherit',
    });
  const dir = mkdtempSync(join(tmpdir(), 'sw-bench-follow-'));
  // The receiver validates with the server's own checks (validateBatch): the schema-per-event default of the
  // fake server costs it about 1.5 µs an event, enough to make it, not the sensor, the bottleneck.
  const server = new FakeIngestServer({
    validate: (doc) => validateBatch(doc, { maxEvents: 20_000, now: Date.now(), maxFutureSkewMs: 600_000 }),
  });
  await server.listen();
  const url = server.url;
  server.tokens.add('bench-token-0001');
  try {
    const data = join(dir, 'data');
    await enrollSensor({ serverUrl: url, token: 'bench-token-0001', dataDir: data, name: 'bench' });
    const log = join(dir, 'kern.log');
    writeFileSync(log, '');
    const cfg = join(dir, 'sensor.yaml');
    writeFileSync(
      cfg,
      [
        `server_url: ${url}`,
        `data_dir: ${data}`,
        'inputs:',
        `  - { type: iptables, path: ${log}, start: beginning, timezone: utc, poll_interval_ms: 50 }`,
        'privacy: { own_networks: [] }',
        'upload: { max_batch_events: 10000, flush_interval_ms: 200 }',
        'status_interval_ms: 200',
        '',
      ].join('\n'),
    );
    // Run as deployed: bin/stormwatch-sensor.js with the Node flags of its first line.
    const launcher = join(ROOT, 'bin/stormwatch-sensor.js');
    const shebang = readFileSync(launcher, 'utf8').split('\n')[0] ?? '';
    // SENSOR_NODE_ARGS adds flags, e.g. --cpu-prof to profile the sensor.
    const nodeArgs = [
      ...shebang.split(' ').filter((a) => a.startsWith('--')),
      ...(process.env.SENSOR_NODE_ARGS ?? '').split(' ').filter(Boolean),
    ];
    const proc = spawn(process.execPath, [...nodeArgs, launcher, 'run', '-c', cfg], {
      cwd: ROOT,
      env: { ...process.env, STORMWATCH_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    let peak = 0;
    const peakParts = { heap_used: 0, external: 0 };
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssKb(proc.pid ?? 0));
      try {
        const m = (
          JSON.parse(readFileSync(join(data, 'status.json'), 'utf8')) as { memory: typeof peakParts }
        ).memory;
        peakParts.heap_used = Math.max(peakParts.heap_used, m.heap_used);
        peakParts.external = Math.max(peakParts.external, m.external);
      } catch {
        // not written yet, or being replaced
      }
    }, 100);
    await new Promise((r) => setTimeout(r, 1500)); // the process starts
    const idle = rssKb(proc.pid ?? 0);
    const t0 = performance.now();
    // The writer is a process of its own: in this one, its bursts would starve the receiver (measured: uploads
    // trickled at 30k lines/s while it wrote, then ran at 400k/s once it stopped).
    const writer = spawn(process.execPath, ['--import', 'tsx', WRITER, log, String(total)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let writerOut = '';
    writer.stdout.on('data', (d: Buffer) => (writerOut += d.toString()));
    await new Promise((r) => writer.once('exit', r));
    const written = t0 + Number(writerOut.trim());
    const acked = (): number => {
      let n = 0;
      for (const b of server.batches.values()) n += b.events.length;
      return n;
    };
    const deadline = Date.now() + 300_000;
    while (acked() < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const done = performance.now();
    clearInterval(sampler);
    const cpu = cpuSeconds(proc.pid ?? 0);
    proc.kill('SIGTERM');
    await new Promise((r) => proc.once('exit', r));
    const got = acked();
    if (got !== total)
      process.stderr.write(`bench: sensor follow: ${got} of ${total} events acknowledged in time\n`);
    return [
      {
        name: `sensor process: busy log to acknowledged upload (${total} lines, written in ${Math.round(written - t0)} ms)`,
        value: Math.round((got / (done - t0)) * 1000),
        unit: 'lines/s',
      },
      {
        name: 'sensor process: CPU per line (parse, spool, gzip, sign, upload)',
        value: Math.round((cpu / Math.max(1, got)) * 1e9) / 1000,
        unit: 'µs/line',
      },
      { name: 'sensor process: resident memory idle', value: Math.round(idle / 1024), unit: 'MB' },
      {
        name: 'sensor process: peak resident memory while following',
        value: Math.round(peak / 1024),
        unit: 'MB',
      },
      {
        name: 'sensor process: peak JavaScript heap in use',
        value: Math.round(peakParts.heap_used / 1048576),
        unit: 'MB',
      },
      {
        name: 'sensor process: peak buffers outside the heap',
        value: Math.round(peakParts.external / 1048576),
        unit: 'MB',
      },
    ];
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
