import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isStormwatchError } from '../core/errors.js';
import { loadSensorConfig, sensorConfigFromFlags } from './config.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sw-cfg-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function file(text: string): string {
  const p = join(dir, 'sensor.yaml');
  writeFileSync(p, text);
  return p;
}

function errorLines(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (!isStormwatchError(err)) throw err;
    expect(err.code).toBe('SW_CONFIG_INVALID');
    return err.details as string[];
  }
  throw new Error('expected a config error');
}

describe('sensor config', () => {
  it('loads a minimal file and fills every default', () => {
    const p = file(
      'server_url: https://sw.example.org\ndata_dir: data\ninputs:\n  - type: iptables\n    path: /var/log/kern.log\n',
    );
    const cfg = loadSensorConfig(p);
    expect(cfg).toEqual({
      server_url: 'https://sw.example.org',
      data_dir: join(dir, 'data'),
      inputs: [
        {
          type: 'iptables',
          path: '/var/log/kern.log',
          start: 'end',
          timezone: 'local',
          poll_interval_ms: 250,
        },
      ],
      watched_addresses: 1,
      privacy: {
        mask_ipv4_prefix: 24,
        mask_ipv6_prefix: 64,
        drop_targets: false,
        exclude_private_sources: true,
        own_networks: [],
      },
      spool: { max_size_bytes: 268_435_456, segment_size_bytes: 8_388_608, fsync_interval_ms: 1000 },
      upload: {
        max_batch_events: 5000,
        flush_interval_ms: 1000,
        backoff_base_ms: 1000,
        backoff_max_ms: 60_000,
        timeout_ms: 30_000,
        max_in_flight: 4,
      },
      metrics: {},
      status_interval_ms: 5000,
    });
    expect(Object.isFrozen(cfg.privacy)).toBe(true);
  });

  it('reports every problem with its path and line', () => {
    const p = file(
      [
        'server_url: ftp://x', // 1
        'data_dir: d', // 2
        'inputs:', // 3
        '  - type: iptables', // 4
        '    start: middle', // 5
        '  - type: pcapng', // 6
        '    path: /x', // 7
        'privacy:', // 8
        '  mask_ipv4_prefix: 40', // 9
        '  own_networks: [10.0.0.0/8, nonsense]', // 10
        '  colour: blue', // 11
        'watched_addresses: 0', // 12
      ].join('\n'),
    );
    const lines = errorLines(() => loadSensorConfig(p));
    expect(lines).toEqual(
      expect.arrayContaining([
        `${p}: server_url: must be an http(s) URL (line 1)`,
        `${p}: inputs[0].path: input type iptables needs a path (line 4)`,
        expect.stringMatching(new RegExp(`^${p}: inputs\\[0\\]\\.start: .* \\(line 5\\)$`)),
        expect.stringMatching(
          new RegExp(
            `^${p}: inputs\\[1\\]\\.type: unknown input type \\(known: iptables, [a-z0-9, -]+\\) \\(line 6\\)$`,
          ),
        ),
        expect.stringMatching(new RegExp(`^${p}: privacy\\.mask_ipv4_prefix: .* \\(line 9\\)$`)),
        expect.stringMatching(
          new RegExp(`^${p}: privacy\\.own_networks\\[1\\]: not a CIDR block .* \\(line 10\\)$`),
        ),
        `${p}: privacy.colour: unknown option (line 11)`,
        expect.stringMatching(new RegExp(`^${p}: watched_addresses: .* \\(line 12\\)$`)),
      ]),
    );
    expect(lines).toHaveLength(8);
  });

  it('reports YAML syntax errors with their line', () => {
    const p = file('server_url: http://x\ninputs: [\n  {type: iptables\n');
    expect(errorLines(() => loadSensorConfig(p))[0]).toMatch(/sensor\.yaml: .* \(line \d+\)$/);
  });

  it('checks spool and upload relations', () => {
    const p = file(
      'server_url: http://x\ndata_dir: d\ninputs: [{type: iptables, path: /x}]\nspool: {max_size_bytes: 10000, segment_size_bytes: 8192}\nupload: {backoff_base_ms: 10, backoff_max_ms: 5}\n',
    );
    const lines = errorLines(() => loadSensorConfig(p));
    expect(lines).toEqual([
      `${p}: spool: max_size_bytes must be at least 2 x segment_size_bytes (line 4)`,
      `${p}: upload: backoff_max_ms must be >= backoff_base_ms (line 5)`,
    ]);
  });

  it('builds from flags alone', () => {
    const cfg = sensorConfigFromFlags({
      server: 'http://127.0.0.1:8080',
      data: 'sd',
      file: ['a.log', '/var/log/b.log'],
      start: 'beginning',
      timezone: 'utc',
      includePrivateSources: true,
    });
    expect(cfg.privacy.exclude_private_sources).toBe(false);
    expect(cfg.server_url).toBe('http://127.0.0.1:8080');
    expect(cfg.data_dir).toBe(join(process.cwd(), 'sd'));
    expect(cfg.inputs.map((i) => [i.path, i.start, i.timezone])).toEqual([
      [join(process.cwd(), 'a.log'), 'beginning', 'utc'],
      ['/var/log/b.log', 'beginning', 'utc'],
    ]);
    expect(errorLines(() => sensorConfigFromFlags({ data: 'x' }))).toEqual([
      'flags: server_url: Required',
      'flags: inputs: Required',
    ]);
  });

  it('lets flags override a file', () => {
    const p = file(
      'server_url: http://old\ndata_dir: /d\nupload: {max_batch_events: 100}\ninputs: [{type: iptables, path: /x}]\n',
    );
    const cfg = sensorConfigFromFlags({ config: p, server: 'http://new:1', start: 'beginning' });
    expect(cfg).toMatchObject({
      server_url: 'http://new:1',
      data_dir: '/d',
      upload: { max_batch_events: 100 },
      inputs: [{ path: '/x', start: 'beginning' }],
    });
  });
});
