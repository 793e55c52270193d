/**
 * The systemd unit shipped in deploy/systemd/: systemd's own checker accepts it (where systemd-analyze exists),
 * and the command it starts is one the CLI really has, with the options it passes.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../e2e/cli.js';

const UNIT = join(ROOT, 'deploy', 'systemd', 'stormwatch-sensor.service');
const haveAnalyze = spawnSync('systemd-analyze', ['--version'], { stdio: 'ignore' }).status === 0;
if (!haveAnalyze) console.warn('systemd-analyze is absent: the unit file is checked by our own reading only');

describe('deploy/systemd/stormwatch-sensor.service', () => {
  const text = readFileSync(UNIT, 'utf8');
  const exec = /^ExecStart=\/usr\/bin\/env stormwatch-sensor (.*)$/m.exec(text)?.[1];

  it('starts `stormwatch-sensor run --config FILE`, a launcher, command and option that exist', () => {
    expect(exec).toBe('run --config /etc/stormwatch/sensor.yaml');
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
    };
    expect(pkg.bin['stormwatch-sensor']).toBe('bin/stormwatch-sensor.js');
    const launcher = readFileSync(join(ROOT, pkg.bin['stormwatch-sensor']!), 'utf8');
    expect(launcher).toMatch(
      /^#!\/usr\/bin\/env -S node --max-semi-space-size=\d+ --max-old-space-size=\d+\n/,
    );
    expect(launcher).toContain("process.argv.splice(2, 0, 'sensor')");
    const help = execFileSync(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'sensor', 'run', '--help'],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );
    expect(help).toMatch(/-c, --config <file>/);
  });

  it('stops with SIGTERM (the sensor spools what it read) and restarts on failure', () => {
    expect(text).toMatch(/^KillSignal=SIGTERM$/m);
    expect(text).toMatch(/^Restart=on-failure$/m);
    expect(text).toMatch(/^StateDirectory=stormwatch-sensor$/m);
  });

  it.skipIf(!haveAnalyze)('passes systemd-analyze verify', () => {
    const r = spawnSync('systemd-analyze', ['verify', UNIT], { encoding: 'utf8' });
    // Warnings about the machine (no such user here) are not errors of the unit.
    const errors = r.stderr
      .split('\n')
      .filter(
        (l) => l.includes('stormwatch-sensor.service') && !/User|Group|not found|Failed to resolve/i.test(l),
      );
    expect(errors).toEqual([]);
    expect(r.status).toBe(0);
  });
});
