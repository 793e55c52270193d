/**
 * Helpers for black-box tests: run the real `stormwatch` CLI as child processes (through tsx, so no build is
 * needed), wait for lines they print, poll the HTTP API.
 */
import { spawn, execFile } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = ['--import', 'tsx', 'src/cli/main.ts'];
const execFileP = promisify(execFile);

export interface Running {
  proc: ChildProcess;
  output(): string;
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function startCli(args: string[], env: NodeJS.ProcessEnv = {}): Running {
  const proc = spawn(process.execPath, [...CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, STORMWATCH_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (err += d.toString()));
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
        await sleep(50);
      }
      throw new Error(
        `timed out waiting for ${re} in output of stormwatch ${args.join(' ')}:\n${out}\n${err.slice(-4000)}`,
      );
    },
    stop: async (signal = 'SIGTERM') => {
      if (proc.exitCode === null) proc.kill(signal);
      return exited;
    },
  };
}

export async function runCli(args: string[]): Promise<string> {
  const { stdout } = await execFileP(process.execPath, [...CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, STORMWATCH_LOG_LEVEL: 'warn' },
    timeout: 120_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export async function pollUntil<T>(
  fn: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await sleep(250);
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`,
  );
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/**
 * Enrols a sensor the way an operator would: a one-time token from `stormwatch admin token` on the server's
 * data folder, then `stormwatch sensor enroll`. Returns the sensor's data folder and the CLI's outputs, which
 * the caller checks.
 */
export async function enrollWithCli(opts: {
  serverData: string;
  url: string;
  sensorData: string;
  name: string;
}): Promise<{ token: string; output: string }> {
  const token = (await runCli(['admin', 'token', '--data', opts.serverData, '--operator', 'e2e'])).trim();
  const output = await runCli([
    'sensor',
    'enroll',
    '--server',
    opts.url,
    '--token',
    token,
    '--data',
    opts.sensorData,
    '--name',
    opts.name,
  ]);
  return { token, output };
}
