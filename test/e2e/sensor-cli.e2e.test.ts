/**
 * The sensor's user-facing commands as a new user runs them before enrolling: `sensor parse` (events as JSON
 * lines on stdout, a summary of skipped and refused lines on stderr), `sensor check` (config valid, inputs tried on
 * their first lines), `sensor status` (no status yet: a clear error). Expected values come from the files, by
 * plain regular expressions written here.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './cli.js';

const run = promisify(execFile);
const REAL = join(ROOT, '..', 'shared', 'fixtures', 'real');
const have = existsSync(REAL);
if (!have) console.warn(`sensor CLI tests on real files skipped: ${REAL} is absent`);

async function cli(
  args: string[],
  input?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const p = run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, STORMWATCH_LOG_LEVEL: 'warn' },
      maxBuffer: 64 << 20,
    });
    if (input !== undefined) {
      p.child.stdin?.end(input);
    }
    const { stdout, stderr } = await p;
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const dir = mkdtempSync(join(tmpdir(), 'sw-sensor-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!have)('stormwatch sensor parse', () => {
  it('prints one JSON event per TCP attempt of a real netfilter scan, and the summary on stderr', async () => {
    const file = join(REAL, 'iptables', 'psad-syn_scan_1000_1500');
    const text = readFileSync(file, 'utf8');
    const want = text.split('\n').filter((l) => / IN=\S+ /.test(l) && /PROTO=TCP/.test(l));
    const r = await cli(['sensor', 'parse', '--format', 'iptables', '--timezone', 'utc', file]);
    expect(r.code).toBe(0);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events).toHaveLength(want.length);
    const dports = want.map((l) => Number(/DPT=(\d+)/.exec(l)?.[1]));
    expect(events.map((e) => e.dport)).toEqual(dports);
    expect(Object.keys(events[0]!)).toEqual(['time', 'proto', 'src', 'sport', 'dst', 'dport', 'flags']);
    expect(r.stderr).toMatch(
      new RegExp(`${text.split('\n').filter(Boolean).length} lines, ${want.length} events`),
    );
  });

  it('reads a pcap file and standard input, and stops at --limit', async () => {
    const pcap = join(REAL, 'pcap', 'ndpi-synscan.pcap');
    const r = await cli(['sensor', 'parse', '--format', 'pcap', '--limit', '50', pcap]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/50 packets, \d+ events/);
    const line = readFileSync(join(REAL, 'iptables', 'psad-udp_scan_1000_1150'), 'utf8').split('\n')[0]!;
    const s = await cli(['sensor', 'parse', '--format', 'iptables', '--timezone', 'utc', '-'], line + '\n');
    expect(JSON.parse(s.stdout)).toMatchObject({ proto: 'udp', dport: Number(/DPT=(\d+)/.exec(line)?.[1]) });
  });

  it('refuses an unknown format, bad options and a file of another format, each with a message', async () => {
    const a = await cli(['sensor', 'parse', '--format', 'nope', 'x.log']);
    expect(a.code).toBe(1);
    expect(a.stderr).toMatch(/SW_CONFIG_INVALID: unknown input type "nope" \(known: iptables, /);
    const b = await cli(['sensor', 'parse', '--format', 'iptables', '--options', '{"x":1}', 'x.log']);
    expect(b.stderr).toMatch(/input type iptables takes no options/);
    const c = await cli(['sensor', 'parse', '--format', 'pcap', join(REAL, 'iptables', 'psad-ipv4_igmp')]);
    expect(c.code).toBe(1);
    expect(c.stderr).toMatch(/SW_INPUT_INVALID: .*psad-ipv4_igmp: /);
    const d = await cli(['sensor', 'parse', '--format', 'iptables', join(dir, 'missing.log')]);
    expect(d.code).toBe(1);
    expect(d.stderr).toMatch(/ENOENT/);
  });
});

describe('stormwatch sensor check and status', () => {
  it('check validates the config and dry-runs each input on its first lines', async () => {
    const log = join(dir, 'kern.log');
    writeFileSync(
      log,
      'Mar 11 20:35:11 gw kernel: [1.0] DROP IN=eth0 OUT= MAC= SRC=45.33.0.9 DST=192.0.2.77 LEN=44 TOS=0x00 PREC=0x00 TTL=53 ID=1 PROTO=TCP SPT=40000 DPT=1025 WINDOW=1024 RES=0x00 SYN URGP=0\nsshd[1]: hello\n',
    );
    const cfg = join(dir, 'sensor.yaml');
    writeFileSync(
      cfg,
      `server_url: http://127.0.0.1:9\ndata_dir: ${join(dir, 'data')}\ninputs:\n  - { type: iptables, path: ${log}, timezone: utc }\n  - { type: iptables, path: ${join(dir, 'later.log')} }\n`,
    );
    const r = await cli(['sensor', 'check', '--config', cfg]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('configuration is valid');
    expect(r.stdout).toMatch(
      /input iptables:.*kern\.log: ok\n {2}first 2 lines: 1 events; skipped not_firewall=1; malformed none/,
    );
    expect(r.stdout).toContain('"dport":1025');
    expect(r.stdout).toMatch(/later\.log does not exist yet/);
    // The wrong type for a file is a problem, reported with exit code 2.
    writeFileSync(
      cfg,
      `server_url: http://127.0.0.1:9\ndata_dir: ${join(dir, 'data')}\ninputs:\n  - { type: pcap, path: ${log} }\n`,
    );
    const bad = await cli(['sensor', 'check', '--config', cfg]);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toMatch(/PROBLEM\n {2}error: .*kern\.log/);
  });

  it('status explains that the sensor never ran in this folder', async () => {
    const r = await cli(['sensor', 'status', '-d', join(dir, 'nothing')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /status\.json does not exist: has `stormwatch sensor run` run with this data folder\?/,
    );
  });
});
