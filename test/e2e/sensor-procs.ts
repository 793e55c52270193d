/**
 * Helpers for the sensor crash tests (sensor-crash.e2e.test.ts): netfilter lines with known keys, a log writer
 * that remembers what it wrote, sensor configs, per-port counts from the API, an independent reader of the
 * spool's framing (record.ts: magic u32 · length u32 · events u32 · crc u32 · JSON payload, little-endian) and a
 * registry of child processes so that afterAll can kill every one of them.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { SeriesResponse } from '../../src/protocol/api-types.js';
import { enrollSensor } from '../../src/sensor/index.js';
import { getJson, pollUntil, ROOT, sleep } from './cli.js';
import type { Running } from './cli.js';

/** Newest modification time of the non-test TypeScript sources under `dir`. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
      newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * How the CLI is run. The built CLI (bin/stormwatch.js → dist/) starts in about a second, through tsx it takes
 * three or more, and the kill test starts the sensor 20+ times: the build is used when it is newer than every
 * source file, else tsx (correct, slower), with a warning. STORMWATCH_E2E_CLI=tsx|dist forces one.
 */
export const CLI_KIND: 'dist' | 'tsx' = (() => {
  const forced = process.env['STORMWATCH_E2E_CLI'];
  if (forced === 'tsx' || forced === 'dist') return forced;
  const main = join(ROOT, 'dist', 'cli', 'main.js');
  if (existsSync(main) && statSync(main).mtimeMs >= newestSource(join(ROOT, 'src'))) return 'dist';
  console.warn(
    'sensor crash e2e: dist/ is missing or older than src/, running the CLI through tsx (slower; `npx tsc -p tsconfig.json` builds it)',
  );
  return 'tsx';
})();
const CLI_ARGS = CLI_KIND === 'dist' ? ['bin/stormwatch.js'] : ['--import', 'tsx', 'src/cli/main.ts'];

/** Like cli.ts startCli, with the CLI chosen above. */
export function startProc(args: string[]): Running {
  const proc = spawn(process.execPath, [...CLI_ARGS, ...args], {
    cwd: ROOT,
    env: { ...process.env, STORMWATCH_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((res) => proc.on('exit', (code) => res(code)));
  return {
    proc,
    output: () => out + err,
    waitFor: async (re, timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const m = out.match(re);
        if (m) return m;
        if (proc.exitCode !== null) break;
        await sleep(20);
      }
      throw new Error(
        `timed out waiting for ${re} in output of stormwatch ${args.join(' ')}:\n${out}\n${err.slice(-4000)}`,
      );
    },
    stop: async (signal = 'SIGTERM') => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
}

/**
 * Enrols a sensor quickly: a one-time token from the admin API (bearer token from the server's data folder), then
 * the library's enrollSensor, which `stormwatch sensor enroll` calls. Enrolment through the CLI is covered by
 * sensor-to-server.e2e.test.ts; here it is only set-up, and four CLI runs through tsx cost half a minute.
 */
export async function enroll(opts: {
  serverData: string;
  url: string;
  sensorData: string;
  name: string;
}): Promise<string> {
  const admin = readFileSync(join(opts.serverData, 'admin-token'), 'utf8').trim();
  const res = await fetch(`${opts.url}/api/v1/admin/enrollment-tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({ operator: 'e2e' }),
  });
  if (!res.ok) throw new Error(`enrolment token: ${res.status} ${await res.text()}`);
  const { token } = (await res.json()) as { token: string };
  const { sensorId } = await enrollSensor({
    serverUrl: opts.url,
    token,
    dataDir: opts.sensorData,
    name: opts.name,
  });
  return sensorId;
}

/** mulberry32: small, seeded, good enough for test delays and line mixes. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Classic syslog stamp in UTC (the sensors run with timezone utc): `Nov  7 09:05:03`. */
function stamp(ms: number): string {
  const d = new Date(ms);
  const p2 = (n: number): string => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
}

/**
 * A distinct public source per sequence number, in 45.0.0.0/8 (198.18.0.0/15 would be excluded by the privacy
 * filter as reserved: src/sensor/net/ranges.ts).
 */
export function sourceFor(seq: number): string {
  return `45.${1 + ((seq >>> 16) % 250)}.${(seq >>> 8) & 255}.${seq & 255}`;
}

export type Proto = 'tcp' | 'udp';
export interface Hit {
  proto: Proto;
  port: number;
}

export function netfilterLine(seq: number, hit: Hit): string {
  const head = `${stamp(Date.now())} host kernel: [${(seq / 10).toFixed(1)}] DROP IN=eth0 OUT= MAC=00:11:22:33:44:55:66:77:88:99:aa:bb:08:00 SRC=${sourceFor(seq)} DST=93.184.216.34`;
  const spt = 40000 + (seq % 20000);
  return hit.proto === 'tcp'
    ? `${head} LEN=44 TOS=0x00 PREC=0x00 TTL=50 ID=${seq % 65536} PROTO=TCP SPT=${spt} DPT=${hit.port} WINDOW=1024 RES=0x00 SYN URGP=0`
    : `${head} LEN=40 TOS=0x00 PREC=0x00 TTL=50 ID=${seq % 65536} PROTO=UDP SPT=${spt} DPT=${hit.port} LEN=20`;
}

export const keyOf = (h: Hit): string => `${h.proto}/${h.port}`;

/** Appends whole netfilter lines to one log file and counts what it wrote, per `proto/port`. */
export class LogWriter {
  readonly expected = new Map<string, number>();
  written = 0;
  constructor(
    readonly path: string,
    private seq: number,
  ) {
    writeFileSync(path, '');
  }

  write(hits: Hit[]): void {
    if (hits.length === 0) return;
    const lines = hits.map((h) => netfilterLine(++this.seq, h));
    appendFileSync(this.path, lines.join('\n') + '\n');
    for (const h of hits) this.expected.set(keyOf(h), (this.expected.get(keyOf(h)) ?? 0) + 1);
    this.written += hits.length;
  }

  size(): number {
    return readFileSync(this.path).length;
  }
}

export function sensorYaml(o: {
  url: string;
  dataDir: string;
  log: string;
  upload?: string;
  spool?: string;
}): string {
  return [
    `server_url: ${o.url}`,
    `data_dir: ${o.dataDir}`,
    'inputs:',
    `  - { type: iptables, path: ${o.log}, start: beginning, timezone: utc, poll_interval_ms: 50 }`,
    `upload: ${o.upload ?? '{ max_batch_events: 5, flush_interval_ms: 50, backoff_base_ms: 100, backoff_max_ms: 400, timeout_ms: 5000 }'}`,
    ...(o.spool ? [`spool: ${o.spool}`] : []),
    '',
  ].join('\n');
}

export async function seriesTotal(url: string, key: string): Promise<number> {
  const [proto = '', port = '0'] = key.split('/');
  const day = 86_400_000;
  const from = new Date(Math.floor(Date.now() / day - 2) * day).toISOString();
  const to = new Date(Math.floor(Date.now() / day + 2) * day).toISOString();
  const res = await getJson<SeriesResponse>(
    `${url}/api/v1/ports/${proto}/${port}/series?bucket=1d&from=${from}&to=${to}`,
  );
  return res.items.reduce((s, p) => s + p.events, 0);
}

export async function snapshot(url: string, keys: readonly string[]): Promise<Map<string, number>> {
  const got = new Map<string, number>();
  for (const key of keys) got.set(key, await seriesTotal(url, key));
  return got;
}

/**
 * Polls the API until the counts of `keys` equal `want`, or have not changed for `stableMs` (then returns what is
 * there, for the caller's assertions to show), or `timeoutMs` passed.
 */
export async function settledCounts(
  url: string,
  want: ReadonlyMap<string, number>,
  opts: { keys?: readonly string[]; stableMs?: number; timeoutMs?: number } = {},
): Promise<Map<string, number>> {
  const keys = opts.keys ?? [...want.keys()].sort();
  const deadline = Date.now() + (opts.timeoutMs ?? 40_000);
  let last = '';
  let since = Date.now();
  for (;;) {
    let now: Map<string, number> | undefined;
    try {
      now = await snapshot(url, keys);
    } catch {
      now = undefined; // server restarting
    }
    if (now !== undefined) {
      if (keys.every((k) => now.get(k) === (want.get(k) ?? 0))) {
        await sleep(opts.stableMs ?? 1500); // and nothing more arrives afterwards
        return snapshot(url, keys);
      }
      const sig = JSON.stringify([...now]);
      if (sig !== last) {
        last = sig;
        since = Date.now();
      } else if (Date.now() - since > (opts.stableMs ?? 6000)) return now;
    }
    if (Date.now() > deadline) return now ?? new Map();
    await sleep(250);
  }
}

/** The counts of `keys` (0 when absent) as a plain object, for toEqual. */
export function asObject(m: ReadonlyMap<string, number>, keys: readonly string[]): Record<string, number> {
  return Object.fromEntries(keys.map((k) => [k, m.get(k) ?? 0]));
}

export const RECORD_MAGIC = 0x31525753;

export interface RawRecord {
  segment: string;
  offset: number;
  next: number;
  /** The event count from the header. */
  events: number;
  /** Events per `proto/port`, from the decoded payload. */
  byKey: Map<string, number>;
}

/** Segment files of a spool folder, oldest first. */
export function segmentFiles(spoolDir: string): string[] {
  if (!existsSync(spoolDir)) return [];
  return readdirSync(spoolDir)
    .filter((f) => /^seg-\d{10}\.swl$/.test(f))
    .sort()
    .map((f) => join(spoolDir, f));
}

/**
 * Reads a segment file with an independent implementation of the framing; stops at the first record that is not
 * whole and intact (the tests only read spools they have not damaged yet, so there is none).
 */
export function readRecords(path: string): RawRecord[] {
  const buf = readFileSync(path);
  const out: RawRecord[] = [];
  let pos = 0;
  while (pos + 16 <= buf.length && buf.readUInt32LE(pos) === RECORD_MAGIC) {
    const len = buf.readUInt32LE(pos + 4);
    const next = pos + 16 + len;
    if (next > buf.length) break;
    const crc = crc32(buf.subarray(pos + 16, next), crc32(buf.subarray(pos + 4, pos + 12))) >>> 0;
    if (crc !== buf.readUInt32LE(pos + 12)) break;
    const payload = JSON.parse(buf.toString('utf8', pos + 16, next)) as {
      events: Array<{ proto: string; port: number }>;
    };
    const byKey = new Map<string, number>();
    for (const e of payload.events)
      byKey.set(`${e.proto}/${e.port}`, (byKey.get(`${e.proto}/${e.port}`) ?? 0) + 1);
    out.push({ segment: path, offset: pos, next, events: buf.readUInt32LE(pos + 8), byKey });
    pos = next;
  }
  return out;
}

/** The read position the spool's state file holds for the (single) input, or -1. */
export function savedOffset(spoolDir: string): number {
  try {
    const state = JSON.parse(readFileSync(join(spoolDir, 'state.json'), 'utf8')) as {
      inputs: Record<string, { offset: number }>;
    };
    const first = Object.values(state.inputs)[0];
    return first?.offset ?? -1;
  } catch {
    return -1;
  }
}

/** Every child process started through `spawnTracked`, so that afterAll can SIGKILL what is left. */
const live = new Set<Running>();

export function spawnTracked(args: string[]): Running {
  const r = startProc(args);
  live.add(r);
  r.proc.on('exit', () => live.delete(r));
  return r;
}

export async function killAll(): Promise<void> {
  await Promise.all([...live].map((r) => r.stop('SIGKILL')));
}

/**
 * One sensor's successive `stormwatch sensor run --config F` processes (a restart may use another config file
 * over the same data folder); keeps the output of every run.
 */
export class SensorProcs {
  current: Running | undefined;
  private readonly outputs: string[] = [];
  runs = 0;

  async start(config: string): Promise<Running> {
    const r = spawnTracked(['sensor', 'run', '--config', config]);
    this.current = r;
    this.runs++;
    await r.waitFor(/running; uploading/, 60_000);
    return r;
  }

  /** Stops the current process with `signal`; returns its exit code. */
  async stop(signal: NodeJS.Signals): Promise<number | null> {
    const r = this.current;
    if (r === undefined) return null;
    this.current = undefined;
    const code = await r.stop(signal);
    this.outputs.push(r.output());
    return code;
  }

  /** Output of every run so far, the current one included. */
  output(): string {
    return [...this.outputs, this.current?.output() ?? ''].join('\n');
  }
}

/** pino JSON lines of `output` whose msg matches `re`. */
export function logLines(output: string, re: RegExp): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const j = JSON.parse(line) as Record<string, unknown>;
      if (typeof j.msg === 'string' && re.test(j.msg)) out.push(j);
    } catch {
      // not a log line
    }
  }
  return out;
}

/** pollUntil for a synchronous check (file contents, process output). */
export function waitUntil<T>(fn: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  return pollUntil(() => Promise.resolve(fn()), timeoutMs, what);
}
