/**
 * The capture-file runner on real files written here (raw-IP pcap, layout in inputs/pcap/test-helpers.ts): a file
 * that grows by whole and partial records, a restart at a saved position, a replaced file, and a file that is not
 * a capture.
 */
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../core/clock.js';
import type { AttackEvent } from '../../core/event.js';
import type { FollowPosition } from '../follow/follower.js';
import { pcapInput } from '../inputs/pcap/index.js';
import { ipv4, pcapFile, tcp, TCP } from '../inputs/pcap/test-helpers.js';
import { PRIVACY_DEFAULTS, PrivacyFilter } from '../privacy.js';
import type { Batcher } from './batcher.js';
import { PacketRunner } from './packet-runner.js';

const RAW_IPV4 = 228;
let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sw-pcap-run-'));
  path = join(dir, 'capture.pcap');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A SYN from 45.33.0.<i> to port 1000 + i, as one pcap record (16-byte header + 40 bytes). */
const syn = (i: number) => ({
  sec: 1_700_000_000 + i,
  frac: 0,
  data: ipv4(`45.33.0.${i}`, '192.0.2.1', 6, tcp(40000, 1000 + i, TCP.S)),
});
/** The bytes of records only (the file without its 24-byte header). */
const records = (from: number, to: number): Buffer =>
  pcapFile({
    linkType: RAW_IPV4,
    records: Array.from({ length: to - from }, (_, k) => syn(from + k)),
  }).subarray(24);

function runner(resume?: FollowPosition): { r: PacketRunner; events: AttackEvent[] } {
  const events: AttackEvent[] = [];
  const r = new PacketRunner({
    key: `pcap:${path}`,
    path,
    start: 'beginning',
    resume,
    pollIntervalMs: 20,
    makeDecoder: () => pcapInput.createDecoder({ timezone: 'utc', options: {} }),
    privacy: new PrivacyFilter({ ...PRIVACY_DEFAULTS }),
    batcher: { add: (e: AttackEvent) => events.push(e) } as unknown as Batcher,
    clock: systemClock,
    logger: pino({ level: 'silent' }),
  });
  return { r, events };
}

describe('PacketRunner', () => {
  it('reads whole records as the file grows, waits for a partial one, and resumes without repeating', async () => {
    writeFileSync(path, pcapFile({ linkType: RAW_IPV4, records: [syn(1), syn(2)] }));
    const a = runner();
    await a.r.readToEnd();
    expect(a.events.map((e) => e.port)).toEqual([1001, 1002]);

    const more = records(3, 5);
    appendFileSync(path, more.subarray(0, 70)); // record 3 whole (56 bytes), record 4 cut
    await a.r.readToEnd();
    expect(a.events.map((e) => e.port)).toEqual([1001, 1002, 1003]);
    const saved = a.r.position();
    expect(saved.offset).toBe(24 + 3 * 56);
    await a.r.stop();

    appendFileSync(path, more.subarray(70));
    const b = runner(saved);
    await b.r.readToEnd();
    expect(b.events.map((e) => e.port)).toEqual([1004]);
    expect(b.r.position().offset).toBe(24 + 4 * 56);
    await b.r.stop();
  });

  it('reads a replaced file from its beginning, and counts a file that is not a capture', async () => {
    writeFileSync(path, pcapFile({ linkType: RAW_IPV4, records: [syn(1)] }));
    const a = runner();
    await a.r.readToEnd();
    rmSync(path);
    writeFileSync(path, 'not a capture at all\n');
    await a.r.readToEnd();
    expect(a.r.counters()).toMatchObject({ rotations: 1, unreadable_files: 1 });
    expect(a.r.stats.malformed.get('unreadable_file')).toBe(1);
    rmSync(path);
    writeFileSync(path, pcapFile({ linkType: RAW_IPV4, records: [syn(7), syn(8)] }));
    await a.r.readToEnd();
    expect(a.events.map((e) => e.port)).toEqual([1001, 1007, 1008]);
    await a.r.stop();
  });
});
