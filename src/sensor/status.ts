/**
 * The running sensor's status file, data_dir/status.json, and how `stormwatch sensor status` reads it.
 *
 * Invariants: the file is replaced atomically (temporary file, then rename), so a reader never sees half of it;
 * rates are computed between two consecutive writes; a file older than three intervals means the sensor is not
 * running (or is stuck), and the report says so rather than showing old figures as current.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { makeError } from '../core/errors.js';
import type { SensorStats } from './agent.js';
import { formatCounts } from './inputs/line-stats.js';

export const STATUS_FILE = 'status.json';

export interface StatusReport {
  version: 1;
  sensor_id: string;
  pid: number;
  server_url: string;
  started_at: string;
  written_at: string;
  interval_ms: number;
  last_ack_at: string | null;
  /** Events per second per input (and in total) since the previous write. */
  rates: {
    total_events_per_s: number;
    inputs: Record<string, { lines_per_s: number; events_per_s: number }>;
  };
  /** Everything that did not reach the server, by reason. */
  drops: Record<string, number>;
  /** The sensor process's memory (bytes): resident, JavaScript heap in use, and buffers outside the heap. */
  memory: { rss: number; heap_used: number; external: number };
  stats: SensorStats;
}

/** Events that did not reach the server, by reason (privacy exclusions, malformed lines, quota, dead letters). */
export function dropsOf(s: SensorStats): Record<string, number> {
  const out: Record<string, number> = {};
  if (s.dropped_events > 0) out.spool_quota_or_append_failure = s.dropped_events;
  if (s.dead_lettered_events > 0) out.dead_lettered = s.dead_lettered_events;
  for (const [k, v] of Object.entries(s.excluded)) out[`excluded_${k}`] = v;
  for (const [k, v] of Object.entries(s.malformed)) out[`malformed_${k}`] = v;
  return out;
}

export class StatusWriter {
  private timer: NodeJS.Timeout | null = null;
  private prev: { at: number; stats: SensorStats } | null = null;
  private readonly startedAt: string;

  constructor(
    private readonly opts: {
      dataDir: string;
      serverUrl: string;
      intervalMs: number;
      clock: Clock;
      logger: Logger;
      stats: () => SensorStats;
      lastAckAt: () => number | null;
    },
  ) {
    this.startedAt = new Date(opts.clock.now()).toISOString();
  }

  start(): void {
    this.write();
    this.timer = setInterval(() => this.write(), this.opts.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.write();
  }

  /** Writes the file now; a failure is logged, never thrown (status must not stop the sensor). */
  write(): void {
    const now = this.opts.clock.now();
    const stats = this.opts.stats();
    const dt = this.prev === null ? 0 : (now - this.prev.at) / 1000;
    const rate = (a: number, b: number): number => (dt > 0 ? Math.round(((a - b) / dt) * 10) / 10 : 0);
    const inputs: StatusReport['rates']['inputs'] = {};
    for (const i of stats.inputs) {
      const before = this.prev?.stats.inputs.find((p) => p.key === i.key);
      inputs[i.key] = {
        lines_per_s: rate(i.lines, before?.lines ?? i.lines),
        events_per_s: rate(i.events, before?.events ?? i.events),
      };
    }
    const ack = this.opts.lastAckAt();
    const report: StatusReport = {
      version: 1,
      sensor_id: stats.sensor_id,
      pid: process.pid,
      server_url: this.opts.serverUrl,
      started_at: this.startedAt,
      written_at: new Date(now).toISOString(),
      interval_ms: this.opts.intervalMs,
      last_ack_at: ack === null ? null : new Date(ack).toISOString(),
      rates: {
        total_events_per_s: rate(stats.events_parsed, this.prev?.stats.events_parsed ?? stats.events_parsed),
        inputs,
      },
      drops: dropsOf(stats),
      memory: (() => {
        const m = process.memoryUsage();
        return { rss: m.rss, heap_used: m.heapUsed, external: m.external };
      })(),
      stats,
    };
    this.prev = { at: now, stats };
    const path = join(this.opts.dataDir, STATUS_FILE);
    try {
      writeFileSync(`${path}.tmp`, JSON.stringify(report, null, 2) + '\n', { mode: 0o644 });
      renameSync(`${path}.tmp`, path);
    } catch (err) {
      this.opts.logger.warn({ err, path }, 'cannot write the status file');
    }
  }
}

/** @throws SW_CONFIG_INVALID when data_dir holds no status file (the sensor never ran there). */
export function readStatus(dataDir: string): StatusReport {
  const path = join(dataDir, STATUS_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw makeError(
      'SW_CONFIG_INVALID',
      `${path} does not exist: has \`stormwatch sensor run\` run with this data folder?`,
    );
  }
  try {
    const r = JSON.parse(text) as StatusReport;
    if (r.version !== 1 || typeof r.written_at !== 'string') throw new Error('unknown layout');
    return r;
  } catch (err) {
    throw makeError('SW_CONFIG_INVALID', `${path} is not a status file: ${(err as Error).message}`);
  }
}

const ago = (iso: string | null, now: number): string => {
  if (iso === null) return 'never';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  return s < 120
    ? `${s} s ago`
    : s < 7200
      ? `${Math.round(s / 60)} min ago`
      : `${Math.round(s / 3600)} h ago`;
};

/** The report as `stormwatch sensor status` prints it. */
export function formatStatus(r: StatusReport, now: number): string {
  const s = r.stats;
  const stale = now - Date.parse(r.written_at) > 3 * r.interval_ms;
  const lines = [
    `sensor ${r.sensor_id} (pid ${r.pid}) → ${r.server_url}`,
    stale
      ? `  NOT RUNNING? status last written ${ago(r.written_at, now)} (every ${r.interval_ms / 1000} s expected)`
      : `  running since ${r.started_at}; status written ${ago(r.written_at, now)}`,
    `  backlog: ${s.backlog_events} events not yet acknowledged`,
    `  memory: ${Math.round(r.memory.rss / 1048576)} MB resident (heap ${Math.round(r.memory.heap_used / 1048576)} MB, buffers ${Math.round(r.memory.external / 1048576)} MB)`,
    `  last upload acknowledged: ${ago(r.last_ack_at, now)}${s.last_upload_error ? `; last error: ${s.last_upload_error}` : ''}`,
    `  events: parsed ${s.events_parsed}, spooled ${s.spooled_events}, acknowledged ${s.acked_events} (accepted ${s.uploaded_events}, duplicate ${s.duplicate_events})`,
    `  drops by reason: ${formatCounts(r.drops)}`,
    `  upload failures: ${formatCounts(s.upload_failures)}`,
    `  inputs:`,
  ];
  for (const i of s.inputs) {
    const rate = r.rates.inputs[i.key];
    lines.push(
      `    ${i.key}: ${rate?.lines_per_s ?? 0} lines/s, ${rate?.events_per_s ?? 0} events/s; ${i.lines} lines, ${i.events} events; skipped ${formatCounts(i.skipped)}; malformed ${formatCounts(i.malformed)}; ${formatCounts(i.counters)}`,
    );
  }
  return lines.join('\n');
}
