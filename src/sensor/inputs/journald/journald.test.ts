/**
 * The journald input against the real journalctl: journal files are written by systemd-journal-remote from the
 * journal export format (systemd's documented serialisation), then read by `journalctl --directory`, exactly as
 * the sensor reads the system journal. Skips with a message where either tool is absent.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../core/clock.js';
import type { AttackEvent } from '../../../core/event.js';
import { PRIVACY_DEFAULTS, PrivacyFilter } from '../../privacy.js';
import type { Batcher } from '../../run/batcher.js';
import { CommandRunner } from '../../run/command-runner.js';
import { createJournaldLineParser, journaldInput, journaldOptionsSchema } from './index.js';

const REMOTE = '/lib/systemd/systemd-journal-remote';
const haveTools =
  existsSync(REMOTE) && spawnSync('journalctl', ['--version'], { stdio: 'ignore' }).status === 0;
if (!haveTools)
  console.warn(
    'journald tests against journalctl skipped: install systemd (journalctl) and systemd-journal-remote',
  );

const ctx = { now: Date.UTC(2024, 0, 1) };
const parse = createJournaldLineParser({ timezone: 'utc' });
const line = (i: number): string =>
  `[UFW BLOCK] IN=eth0 OUT= MAC= SRC=45.33.${i % 250}.7 DST=192.0.2.1 LEN=40 TOS=0x00 PREC=0x00 TTL=50 ID=${i} PROTO=TCP SPT=${40000 + i} DPT=${1000 + (i % 7)} WINDOW=1024 RES=0x00 SYN URGP=0`;

describe('journald line parser', () => {
  it('takes the time from __REALTIME_TIMESTAMP and the packet from MESSAGE', () => {
    const r = parse(
      JSON.stringify({ __CURSOR: 'c1', __REALTIME_TIMESTAMP: '1700000000123456', MESSAGE: line(5) }),
      ctx,
    );
    expect(r.cursor).toBe('c1');
    expect(r.result).toEqual({
      kind: 'event',
      event: {
        ts: 1_700_000_000_123,
        proto: 'tcp',
        port: 1005,
        src: '45.33.5.7',
        sport: 40005,
        dst: '192.0.2.1',
        flags: 'S',
      },
    });
  });

  it('reads a MESSAGE given as bytes (journalctl prints non-UTF-8 text as an array)', () => {
    const bytes = [...Buffer.from(line(9))];
    const r = parse(JSON.stringify({ __REALTIME_TIMESTAMP: '1700000000000000', MESSAGE: bytes }), ctx);
    expect(r.result.kind).toBe('event');
  });

  it('refuses broken entries by reason and keeps their cursor', () => {
    expect(parse('{not json', ctx).result).toEqual({ kind: 'malformed', reason: 'not_json' });
    expect(parse('[1,2]', ctx).result).toEqual({ kind: 'malformed', reason: 'not_json' });
    const noMsg = parse(JSON.stringify({ __CURSOR: 'c9', __REALTIME_TIMESTAMP: '1' }), ctx);
    expect(noMsg).toEqual({ result: { kind: 'malformed', reason: 'no_message' }, cursor: 'c9' });
    expect(parse(JSON.stringify({ MESSAGE: line(1), __REALTIME_TIMESTAMP: 'x' }), ctx).result).toEqual({
      kind: 'malformed',
      reason: 'bad_timestamp',
    });
    const sshd = parse(JSON.stringify({ __REALTIME_TIMESTAMP: '1', MESSAGE: 'sshd[1]: Accepted key' }), ctx);
    expect(sshd.result).toEqual({ kind: 'skip', reason: 'not_firewall' });
    expect(parse('', ctx).result).toEqual({ kind: 'skip', reason: 'empty' });
  });

  it('builds the journalctl command from its options, cursor and start', () => {
    const o = { timezone: 'utc' as const, options: journaldOptionsSchema.parse({ directory: '/j' }) };
    expect(journaldInput.command(o, { follow: true, start: 'end' })).toEqual([
      'journalctl',
      '-o',
      'json',
      '--no-pager',
      '--quiet',
      '--directory',
      '/j',
      '--follow',
      '--lines',
      '0',
      '_TRANSPORT=kernel',
    ]);
    const resumed = journaldInput.command(o, { cursor: 's=1', follow: false, start: 'end' });
    expect(resumed).toContain('--after-cursor');
    expect(resumed).not.toContain('--lines');
    expect(resumed).not.toContain('--follow');
  });
});

/** Writes journal entries (export format) into a new journal file in `dir`. */
function writeJournal(
  dir: string,
  name: string,
  entries: Array<{ us: number; msg: string; transport: string }>,
): void {
  const text = entries
    .map(
      (e, i) =>
        `__CURSOR=s=0;i=${i}\n__REALTIME_TIMESTAMP=${e.us}\n__MONOTONIC_TIMESTAMP=${i + 1}\n` +
        `_BOOT_ID=0123456789abcdef0123456789abcdef\n_TRANSPORT=${e.transport}\nSYSLOG_IDENTIFIER=kernel\n` +
        `MESSAGE=${e.msg}\n_HOSTNAME=sensor\n\n`,
    )
    .join('');
  execFileSync(REMOTE, ['-o', join(dir, name), '-'], { input: text, stdio: ['pipe', 'ignore', 'ignore'] });
}

function collector(): { batcher: Batcher; events: AttackEvent[] } {
  const events: AttackEvent[] = [];
  return { batcher: { add: (e: AttackEvent) => events.push(e) } as unknown as Batcher, events };
}

describe.skipIf(!haveTools)('journald input with the real journalctl', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const T0 = 1_700_000_000_000_000;

  function runner(dir: string, sink: Batcher, resume?: { cursor?: string }): CommandRunner {
    return new CommandRunner({
      key: 'journald:test',
      definition: journaldInput,
      inputOptions: { timezone: 'utc', options: journaldOptionsSchema.parse({ directory: dir }) },
      start: 'beginning',
      resume: resume
        ? { path: 'journald:test', inode: 'cursor', offset: 0, cursor: resume.cursor }
        : undefined,
      privacy: new PrivacyFilter({ ...PRIVACY_DEFAULTS }),
      batcher: sink,
      clock: systemClock,
      logger: pino({ level: 'silent' }),
    });
  }

  it('reads every kernel entry once, skips other transports, and resumes after its cursor', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-journal-'));
    dirs.push(dir);
    writeJournal(dir, 'a.journal', [
      ...Array.from({ length: 30 }, (_, i) => ({ us: T0 + i * 1000, msg: line(i), transport: 'kernel' })),
      { us: T0 + 99_000, msg: 'sshd[7]: Failed password', transport: 'syslog' },
    ]);
    const first = collector();
    const r1 = runner(dir, first.batcher);
    await r1.readToEnd();
    expect(first.events).toHaveLength(30);
    expect(first.events.map((e) => e.port).filter((p) => p === 1000)).toHaveLength(5);
    expect(first.events[3]?.ts).toBe(Math.floor((T0 + 3000) / 1000));
    const pos = r1.position();
    expect(pos.cursor).toMatch(/^s=/);

    writeJournal(dir, 'b.journal', [
      ...Array.from({ length: 12 }, (_, i) => ({
        us: T0 + 200_000 + i * 1000,
        msg: line(100 + i),
        transport: 'kernel',
      })),
    ]);
    const second = collector();
    const r2 = runner(dir, second.batcher, { cursor: pos.cursor! });
    await r2.readToEnd();
    expect(second.events).toHaveLength(12);
    expect(second.events.every((e) => e.port === 1000 + ((Number(e.sport) - 40000) % 7))).toBe(true);
  });

  it('follows the journal: entries written after it started arrive, then it stops cleanly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-journal-'));
    dirs.push(dir);
    writeJournal(dir, 'a.journal', [{ us: T0, msg: line(1), transport: 'kernel' }]);
    const c = collector();
    const r = runner(dir, c.batcher);
    r.start();
    const until = async (n: number): Promise<void> => {
      const deadline = Date.now() + 10_000;
      while (c.events.length < n && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
    };
    await until(1);
    expect(c.events).toHaveLength(1);
    writeJournal(dir, 'b.journal', [
      ...Array.from({ length: 5 }, (_, i) => ({
        us: T0 + 10_000 + i,
        msg: line(50 + i),
        transport: 'kernel',
      })),
    ]);
    await until(6);
    await r.stop();
    expect(c.events).toHaveLength(6);
    expect(r.counters().spawn_failures).toBe(0);
  });

  it('counts a command that cannot be started and keeps going', async () => {
    const c = collector();
    const r = new CommandRunner({
      key: 'journald:missing',
      definition: journaldInput,
      inputOptions: {
        timezone: 'utc',
        options: journaldOptionsSchema.parse({ command: '/nonexistent/journalctl' }),
      },
      start: 'beginning',
      privacy: new PrivacyFilter({ ...PRIVACY_DEFAULTS }),
      batcher: c.batcher,
      clock: systemClock,
      logger: pino({ level: 'silent' }),
    });
    await r.readToEnd();
    expect(r.counters().spawn_failures).toBe(1);
    expect(c.events).toHaveLength(0);
  });
});
