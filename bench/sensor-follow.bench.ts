/**
 * The sensor as users run it: a real `stormwatch-sensor run` process (built CLI, with the heap flags of
 * bin/stormwatch-sensor.js) follows a netfilter log that a
 * writer fills as fast as it can (2,000,000 lines in bursts), spools and uploads to a receiver that verifies
 * every signature and every event (src/sensor/testing/fake-server.ts, in this process, on the other core).
 * Measured: lines/s from the first write to the last acknowledgement (the sensor's end-to-end capacity) and the
 * sensor process's peak resident memory (VmRSS sampled every 100 ms from /proc).
 */
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { enrollSensor } from '../src/sensor/enroll.js';
import { FakeIngestServer } from '../src/sensor/testing/fake-server.js';
import type { Figure } from './figures.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function line(i: number): string {
  const a = 45 + (i % 50);
  return `Nov 27 10:00:${String(i % 60).padStart(2, '0')} gw kernel: [1234.5678] DROP IN=eth0 OUT= MAC=00:11:22:33:44:55:66:77:88:99:aa:bb:08:00 SRC=${a}.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255 || 1} DST=203.0.113.10 LEN=44 TOS=0x00 PREC=0x00 TTL=50 ID=${i & 65535} PROTO=TCP SPT=${1024 + (i % 60000)} DPT=${[22, 23, 445, 1025, 3389][i % 5]} WINDOW=1024 RES=0x00 SYN URGP=0`;
}

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
  const server = new FakeIngestServer();
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
    const burst = 100_000;
    for (let i = 0; i < total; i += burst) {
      const chunk: string[] = [];
      for (let k = i; k < Math.min(total, i + burst); k++) chunk.push(line(k));
      appendFileSync(log, chunk.join('\n') + '\n');
      await new Promise((r) => setImmediate(r));
    }
    const written = performance.now();
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
