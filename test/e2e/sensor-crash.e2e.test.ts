/**
 * Crash tests of the SENSOR side, with real processes: one `stormwatch server` process and `stormwatch sensor run
 * --config F` processes following netfilter log files that a writer here appends to. Every test uses its own
 * sensor, log file and destination ports, so the server's per-port counts (GET /api/v1/ports/{proto}/{port}/series)
 * can be compared with what that test wrote:
 * 1. the sensor is SIGKILLed at random moments (20+ rounds) while it reads bursts and uploads small batches;
 * 2. the spool's newest segment is damaged while the sensor is down (a torn last record, garbage after the last
 *    record), and, separately, a torn record whose read position was not saved yet;
 * 3. the server is stopped for several seconds while the sensor keeps reading, then restarted;
 * 4. a tiny spool quota with no reachable server: the drop counter and the oldest-first rule.
 * Source addresses are in 45.0.0.0/8 (public: 198.18.0.0/15 is excluded by the privacy filter as reserved).
 * Everything listens on 127.0.0.1. The random delays come from a seeded PRNG; the seed is printed and
 * STORMWATCH_SENSOR_CRASH_SEED=<n> replays it.
 */
import { appendFileSync, mkdtempSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, pollUntil, sleep } from './cli.js';
import type { Running } from './cli.js';
import {
  asObject,
  CLI_KIND,
  enroll as enrollProc,
  keyOf,
  killAll,
  logLines,
  LogWriter,
  prng,
  readRecords,
  savedOffset,
  segmentFiles,
  SensorProcs,
  sensorYaml,
  settledCounts,
  snapshot,
  spawnTracked,
  waitUntil,
} from './sensor-procs.js';
import type { Hit, RawRecord } from './sensor-procs.js';

const SEED = Number(process.env['STORMWATCH_SENSOR_CRASH_SEED'] ?? Date.now() % 2 ** 31);
const ROUNDS = 22;

const tcp = (port: number): Hit => ({ proto: 'tcp', port });
const udp = (port: number): Hit => ({ proto: 'udp', port });
/** Disjoint port sets per test: the counts of one test are not touched by another's sensor. */
const KILL_HITS = [tcp(10022), tcp(10023), tcp(10080), tcp(10443), tcp(10445), udp(10053), udp(10123)];
const TORN_HITS = [tcp(11001), tcp(11002), tcp(11003), udp(11004)];
const UNSAVED_HITS = [tcp(11101), tcp(11102), udp(11103)];
const OUTAGE_HITS = [tcp(12022), tcp(12080), tcp(12443), udp(12053), udp(12161)];
const QUOTA_BASE = 13000;

const SMALL_UPLOAD = (batch: number): string =>
  `{ max_batch_events: ${batch}, flush_interval_ms: 50, backoff_base_ms: 100, backoff_max_ms: 400, timeout_ms: 5000 }`;

/** Sums per-key maps. */
function addInto(
  into: Map<string, number>,
  from: ReadonlyMap<string, number>,
  sign = 1,
): Map<string, number> {
  for (const [k, v] of from) into.set(k, (into.get(k) ?? 0) + sign * v);
  return into;
}

function summaryNumbers(out: string): {
  spooled: number;
  dropped: number;
  backlog: number;
  deadLettered: number;
} {
  const re =
    /(\d+) spooled\n\s+acked \d+ \(accepted \d+, duplicate \d+, dead-lettered (\d+)\), dropped (\d+), backlog (\d+)/g;
  const m = [...out.matchAll(re)].at(-1); // the last run's
  if (!m) throw new Error(`no summary in sensor output:\n${out.slice(-3000)}`);
  return { spooled: Number(m[1]), deadLettered: Number(m[2]), dropped: Number(m[3]), backlog: Number(m[4]) };
}

describe('sensor crashes: SIGKILLed sensor, damaged spool, server outage, spool quota', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-sensor-crash-'));
  const serverData = join(dir, 'server');
  let port = 0;
  let url = '';
  /** A loopback URL where nothing listens: "no reachable server". */
  let deadUrl = '';
  let server: Running | undefined;
  const timers: NodeJS.Timeout[] = [];

  const startServer = async (): Promise<void> => {
    server = spawnTracked(['server', '--port', String(port), '--data', serverData]);
    await server.waitFor(/Dashboard: http/, 60_000);
  };
  const enroll = async (name: string): Promise<string> => {
    const sensorData = join(dir, name);
    expect(await enrollProc({ serverData, url, sensorData, name })).toMatch(/^s_[a-z0-9]+$/);
    return sensorData;
  };
  const writeConfig = (name: string, text: string): string => {
    const path = join(dir, `${name}.yaml`);
    writeFileSync(path, text);
    return path;
  };
  /** Until the sensor's durable read position is the end of the log: every line's event is in the spool. */
  const waitSpooled = (spoolDir: string, log: LogWriter, what: string): Promise<true> =>
    waitUntil(() => (savedOffset(spoolDir) === log.size() ? true : undefined), 20_000, what);

  beforeAll(async () => {
    console.log(
      `sensor crash e2e seed: ${SEED} (replay with STORMWATCH_SENSOR_CRASH_SEED=${SEED}); CLI through ${CLI_KIND}`,
    );
    port = await freePort();
    url = `http://127.0.0.1:${port}`;
    deadUrl = `http://127.0.0.1:${await freePort()}`;
    await startServer();
  }, 90_000);

  afterAll(async () => {
    for (const t of timers) clearInterval(t);
    await killAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`delivers every line exactly once across ${ROUNDS} SIGKILLs of the sensor`, async () => {
    const started = Date.now();
    const random = prng(SEED);
    const lineRandom = prng(SEED ^ 0x5bd1e995);
    const sdir = await enroll('kill9');
    const log = new LogWriter(join(dir, 'kill9.log'), 0);
    // Batches of 5, a 50 ms flush and a 100 ms fsync: a kill lands between append and fsync, in the middle of an
    // upload, or while a burst of a few hundred lines is being read.
    const config = writeConfig(
      'kill9',
      sensorYaml({
        url,
        dataDir: sdir,
        log: log.path,
        upload: SMALL_UPLOAD(5),
        spool: '{ fsync_interval_ms: 100 }',
      }),
    );
    const procs = new SensorProcs();
    const timeline: string[] = [];
    const writer = setInterval(() => {
      const n = lineRandom() < 0.05 ? 20 + Math.floor(lineRandom() * 50) : 1 + Math.floor(lineRandom() * 3);
      log.write(
        Array.from({ length: n }, () => KILL_HITS[Math.floor(lineRandom() * KILL_HITS.length)] ?? tcp(1)),
      );
    }, 100);
    timers.push(writer);
    try {
      for (let round = 1; round <= ROUNDS; round++) {
        await procs.start(config);
        const delay = 20 + Math.floor(random() * 1200);
        await sleep(delay);
        await procs.stop('SIGKILL');
        const arrived = [...(await snapshot(url, KILL_HITS.map(keyOf))).values()].reduce((a, b) => a + b, 0);
        timeline.push(
          `round ${round} (${((Date.now() - started) / 1000).toFixed(1)} s): SIGKILL ${delay} ms after start; ${log.written} lines written, ${arrived} at the server, read position saved ${savedOffset(join(sdir, 'spool'))} of ${log.size()} bytes`,
        );
      }
      clearInterval(writer);
      await procs.start(config);
      const keys = KILL_HITS.map(keyOf);
      const drainFrom = Date.now();
      const got = await settledCounts(url, log.expected, { keys, timeoutMs: 60_000 });
      timeline.push(`drained in ${((Date.now() - drainFrom) / 1000).toFixed(1)} s`);
      const code = await procs.stop('SIGTERM');
      const total = [...got.values()].reduce((a, b) => a + b, 0);
      const context = `${log.written} lines written, ${total} events at the server\n${timeline.join('\n')}\n${procs.output().slice(-2000)}`;
      expect(code, context).toBe(0);
      expect(summaryNumbers(procs.output()).backlog, context).toBe(0);
      const final = await snapshot(url, keys);
      expect(asObject(final, keys), context).toEqual(asObject(got, keys));
      expect(asObject(final, keys), context).toEqual(asObject(log.expected, keys));
      console.log(
        `sensor kill -9: ${ROUNDS} rounds, ${log.written} lines, ${Math.round((Date.now() - started) / 1000)} s`,
      );
    } catch (err) {
      console.error(`sensor kill -9 failed, seed ${SEED}\n${timeline.join('\n')}`);
      if (err instanceof Error) err.message = `[seed ${SEED}] ${err.message}`;
      throw err;
    } finally {
      clearInterval(writer);
      await procs.stop('SIGKILL');
    }
  }, 150_000);

  it('damaged spool tail: the torn record’s events are lost, nothing else; garbage after the last record loses nothing', async () => {
    const sdir = await enroll('torn');
    const spoolDir = join(sdir, 'spool');
    const log = new LogWriter(join(dir, 'torn.log'), 200_000);
    const spool = '{ fsync_interval_ms: 50 }';
    // Offline (nothing listens at deadUrl) while the spool is filled, so that no record is acknowledged before
    // the damage; online afterwards, over the same data folder.
    const offline = writeConfig(
      'torn-offline',
      sensorYaml({ url: deadUrl, dataDir: sdir, log: log.path, upload: SMALL_UPLOAD(7), spool }),
    );
    const online = writeConfig(
      'torn-online',
      sensorYaml({ url, dataDir: sdir, log: log.path, upload: SMALL_UPLOAD(7), spool }),
    );
    const hits = (n: number): Hit[] => Array.from({ length: n }, (_, i) => TORN_HITS[(i * 7) % 4] ?? tcp(1));
    const keys = TORN_HITS.map(keyOf);
    const procs = new SensorProcs();
    const newestSegment = (): string => {
      const seg = segmentFiles(spoolDir)
        .filter((f) => statSync(f).size > 0)
        .at(-1);
      if (seg === undefined) throw new Error(`no spool segment with data in ${spoolDir}`);
      return seg;
    };
    try {
      // A. Torn last record. The sensor saves the read position only after an fsync that covers every record
      // appended before it, and we wait until the saved position is the end of the log: the torn record's lines
      // lie before the saved position and are NOT read again. The server was unreachable, so none of its events
      // was delivered either: exactly the events of that one record are lost (the header's event count, and per
      // port from its payload), every other record is delivered once.
      await procs.start(offline);
      log.write(hits(30));
      await sleep(120);
      log.write(hits(33));
      await waitSpooled(spoolDir, log, 'the torn sensor to spool 63 lines');
      await procs.stop('SIGKILL');
      const records: RawRecord[] = segmentFiles(spoolDir).flatMap(readRecords);
      expect(records.reduce((t, r) => t + r.events, 0)).toBe(63); // all in the spool, none acknowledged
      const seg = newestSegment();
      const last = readRecords(seg).at(-1);
      if (last === undefined) throw new Error('no record in the newest segment');
      const cut = last.offset + 16 + Math.floor((last.next - last.offset - 16) / 2); // mid-payload
      truncateSync(seg, cut);
      const lost = last.byKey;
      console.log(
        `torn tail: cut the last of ${records.length} records (${last.events} events) at byte ${cut}`,
      );
      expect(last.events).toBeGreaterThan(0);
      expect([...lost.values()].reduce((a, b) => a + b, 0)).toBe(last.events);

      const runA = await procs.start(online);
      const tornA = await waitUntil(
        () => logLines(runA.output(), /torn or damaged tail/)[0],
        5_000,
        'the recovery warning',
      );
      expect(tornA['recovery']).toMatchObject({ tornBytes: cut - last.offset, corruptRanges: 0 });
      log.write(hits(11)); // read after the restart, delivered normally
      const wantA = addInto(new Map(log.expected), lost, -1);
      expect(asObject(await settledCounts(url, wantA, { keys }), keys)).toEqual(asObject(wantA, keys));

      // B. Garbage after the last record (a header-like start, then random bytes), with 25 undelivered events in
      // the spool: recovery cuts the garbage as a torn tail and keeps every record: nothing lost.
      await procs.stop('SIGKILL');
      await procs.start(offline);
      log.write(hits(25));
      await waitSpooled(spoolDir, log, 'the torn sensor to spool 25 more lines');
      await procs.stop('SIGKILL');
      const junkRandom = prng(SEED ^ 0x2545f491);
      const garbage = Buffer.alloc(300);
      for (let i = 0; i < garbage.length; i++) garbage[i] = Math.floor(junkRandom() * 256);
      garbage.writeUInt32LE(0x31525753, 0); // the record magic: looks like the start of a record
      garbage.writeUInt32LE(120, 4);
      garbage.writeUInt32LE(3, 8);
      appendFileSync(newestSegment(), garbage);
      const runB = await procs.start(online);
      const tornB = await waitUntil(
        () => logLines(runB.output(), /torn or damaged tail/)[0],
        5_000,
        'the recovery warning',
      );
      expect(tornB['recovery']).toMatchObject({ tornBytes: garbage.length, corruptRanges: 0 });
      const wantB = addInto(new Map(log.expected), lost, -1);
      expect(asObject(await settledCounts(url, wantB, { keys }), keys)).toEqual(asObject(wantB, keys));
      expect(await procs.stop('SIGTERM')).toBe(0);
      expect(summaryNumbers(procs.output()).backlog).toBe(0);
      expect(asObject(await snapshot(url, keys), keys)).toEqual(asObject(wantB, keys));
    } finally {
      await procs.stop('SIGKILL');
    }
  }, 60_000);

  it('torn record whose read position was not saved yet: its lines are read again, nothing lost, nothing twice', async () => {
    const sdir = await enroll('unsaved');
    const spoolDir = join(sdir, 'spool');
    const log = new LogWriter(join(dir, 'unsaved.log'), 300_000);
    // fsync only every 10 minutes: the records reach the segment file (page cache, which SIGKILL does not lose),
    // but no read position is saved after them.
    const spool = '{ fsync_interval_ms: 600000 }';
    const offline = writeConfig(
      'unsaved-offline',
      sensorYaml({ url: deadUrl, dataDir: sdir, log: log.path, upload: SMALL_UPLOAD(6), spool }),
    );
    const online = writeConfig(
      'unsaved-online',
      sensorYaml({
        url,
        dataDir: sdir,
        log: log.path,
        upload: SMALL_UPLOAD(6),
        spool: '{ fsync_interval_ms: 50 }',
      }),
    );
    const keys = UNSAVED_HITS.map(keyOf);
    const procs = new SensorProcs();
    try {
      await procs.start(offline);
      log.write(Array.from({ length: 40 }, (_, i) => UNSAVED_HITS[i % 3] ?? tcp(1)));
      await waitUntil(
        () =>
          segmentFiles(spoolDir)
            .flatMap(readRecords)
            .reduce((t, r) => t + r.events, 0) === 40
            ? true
            : undefined,
        10_000,
        'the 40 events in the segment files',
      );
      await procs.stop('SIGKILL');
      expect(savedOffset(spoolDir)).toBeLessThan(log.size()); // the position after them was never saved
      const seg = segmentFiles(spoolDir).at(-1) ?? '';
      const records = readRecords(seg);
      const last = records.at(-1);
      if (last === undefined) throw new Error('no record in the newest segment');
      truncateSync(seg, last.offset + 10); // torn inside the last record's header
      const run = await procs.start(online);
      await waitUntil(() => logLines(run.output(), /torn or damaged tail/)[0], 5_000, 'the recovery warning');
      // The design (spool.ts, rule 5): a restart re-reads lines whose events were not durable, never loses them.
      // The torn record's lines are read again, so nothing is lost; the intact records before it must not be
      // counted twice either.
      const intact = records.slice(0, -1).reduce((t, r) => t + r.events, 0);
      const got = await settledCounts(url, log.expected, { keys });
      const total = [...got.values()].reduce((a, b) => a + b, 0);
      expect(
        asObject(got, keys),
        `server total ${total} for 40 lines; ${intact} events were in intact records written before the kill`,
      ).toEqual(asObject(log.expected, keys));
    } finally {
      await procs.stop('SIGKILL');
    }
  }, 45_000);

  it('server stopped for several seconds and restarted: the sensor keeps the batches, every line arrives once', async () => {
    const sdir = await enroll('outage');
    const log = new LogWriter(join(dir, 'outage.log'), 400_000);
    const config = writeConfig(
      'outage',
      sensorYaml({
        url,
        dataDir: sdir,
        log: log.path,
        upload: SMALL_UPLOAD(5),
        spool: '{ fsync_interval_ms: 100 }',
      }),
    );
    const keys = OUTAGE_HITS.map(keyOf);
    const lineRandom = prng(SEED ^ 0x27d4eb2f);
    const procs = new SensorProcs();
    const writer = setInterval(() => {
      const n = 1 + Math.floor(lineRandom() * 3);
      log.write(Array.from({ length: n }, () => OUTAGE_HITS[Math.floor(lineRandom() * 5)] ?? tcp(1)));
    }, 50);
    timers.push(writer);
    try {
      const sensor = await procs.start(config);
      await pollUntil(
        async () => ([...(await snapshot(url, keys)).values()].some((v) => v > 0) ? true : undefined),
        20_000,
        'the first events at the server',
      );
      expect(await server?.stop('SIGTERM')).toBe(0);
      const writtenAtStop = log.written;
      await sleep(5_000); // the sensor reads, spools and fails to upload
      expect(sensor.proc.exitCode).toBeNull();
      const failures = logLines(sensor.output(), /upload failed, will retry/);
      expect(failures.length).toBeGreaterThan(0);
      expect(failures.map((f) => f['reason'])).toContain('network');
      expect(log.written).toBeGreaterThan(writtenAtStop + 50);
      await startServer(); // same port, same data folder
      await sleep(1_000);
      clearInterval(writer);
      const got = await settledCounts(url, log.expected, { keys });
      expect(asObject(got, keys)).toEqual(asObject(log.expected, keys));
      expect(await procs.stop('SIGTERM')).toBe(0);
      const s = summaryNumbers(procs.output());
      expect(s).toMatchObject({ spooled: log.written, backlog: 0, dropped: 0, deadLettered: 0 });
    } finally {
      clearInterval(writer);
      await procs.stop('SIGKILL');
      if (server?.proc.exitCode !== null) await startServer();
    }
  }, 60_000);

  it('spool quota with no reachable server: dropped events are counted and are the oldest', async () => {
    const sdir = await enroll('quota');
    const spoolDir = join(sdir, 'spool');
    const log = new LogWriter(join(dir, 'quota.log'), 500_000);
    // The smallest quota the config allows: two segments of 4096 bytes. Batches of 4 events (about 600 bytes).
    const spool = '{ max_size_bytes: 8192, segment_size_bytes: 4096, fsync_interval_ms: 50 }';
    const offline = writeConfig(
      'quota-offline',
      sensorYaml({ url: deadUrl, dataDir: sdir, log: log.path, upload: SMALL_UPLOAD(4), spool }),
    );
    const online = writeConfig(
      'quota-online',
      sensorYaml({ url, dataDir: sdir, log: log.path, upload: SMALL_UPLOAD(4), spool }),
    );
    // Chunk i (in write order) goes to tcp port QUOTA_BASE + i: the port tells how old an event is.
    const CHUNKS = 30;
    const PER_CHUNK = 6;
    const keys = Array.from({ length: CHUNKS }, (_, i) => `tcp/${QUOTA_BASE + i}`);
    const procs = new SensorProcs();
    try {
      await procs.start(offline);
      for (let i = 0; i < CHUNKS; i++) {
        log.write(Array.from({ length: PER_CHUNK }, () => tcp(QUOTA_BASE + i)));
        await sleep(30);
      }
      await waitSpooled(spoolDir, log, 'the quota sensor to read every line');
      // The drop counter is not readable from outside a running `sensor run` (no stats endpoint); it is printed
      // in the summary at SIGTERM, and each drop is logged ("spool quota full: oldest segment dropped").
      expect(await procs.stop('SIGTERM')).toBe(0);
      const out = procs.output();
      const s = summaryNumbers(out);
      const dropLogs = logLines(out, /spool quota full: oldest segment dropped/);
      const loggedDrops = dropLogs.reduce((t, l) => t + Number(l['droppedEvents']), 0);
      const files = segmentFiles(spoolDir);
      const kept = files.flatMap(readRecords);
      const keptByKey = kept.reduce((m, r) => addInto(m, r.byKey), new Map<string, number>());
      const keptEvents = kept.reduce((t, r) => t + r.events, 0);
      const context = `summary ${JSON.stringify(s)}, ${dropLogs.length} drop logs, kept ${JSON.stringify(asObject(keptByKey, keys))}`;
      console.log(`quota: ${context}`);
      expect(s.spooled, context).toBe(log.written);
      expect(s.dropped, context).toBeGreaterThan(0);
      expect(s.dropped + s.backlog, context).toBe(log.written);
      expect(loggedDrops, context).toBe(s.dropped);
      expect(keptEvents, context).toBe(s.backlog);
      expect(
        files.reduce((t, f) => t + statSync(f).size, 0),
        context,
      ).toBeLessThanOrEqual(8192);
      // Oldest first: the kept events are the newest ones, a suffix of the write order (the oldest kept chunk may
      // be partial: segments do not end on chunk boundaries).
      const perChunk = keys.map((k) => keptByKey.get(k) ?? 0);
      const firstKept = perChunk.findIndex((n) => n > 0);
      expect(firstKept, context).toBeGreaterThan(0);
      expect(
        perChunk.slice(0, firstKept).every((n) => n === 0),
        context,
      ).toBe(true);
      expect(
        perChunk.slice(firstKept + 1).every((n) => n === PER_CHUNK),
        context,
      ).toBe(true);

      // A server now: exactly the kept (newest) events arrive, none of the dropped ones.
      await procs.start(online);
      const got = await settledCounts(url, keptByKey, { keys });
      expect(asObject(got, keys), context).toEqual(asObject(keptByKey, keys));
      expect(await procs.stop('SIGTERM')).toBe(0);
      expect(summaryNumbers(procs.output()).backlog).toBe(0);
    } finally {
      await procs.stop('SIGKILL');
    }
  }, 45_000);
});
