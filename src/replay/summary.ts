/**
 * What a replay or import did with every line it read: the tally kept while it runs, the summary it ends with
 * (printed as text, or as JSON with `--json`).
 *
 * Invariants (checked by `accounted`): every line read is an event, a skipped line (by reason) or a refused line
 * (by reason, the first few with their file and line number); every event is excluded by the privacy policy (by
 * reason) or put in a batch; every batched event is accepted, duplicate, refused with its batch (the server's
 * message kept for the first few) or not sent (a stop or an interruption; a later run sends it).
 */
import { formatCounts, LineStats } from '../sensor/inputs/line-stats.js';
import type { ParseResult } from '../sensor/inputs/input.js';

/** Refused lines and refused batches kept with their details (the counters are complete). */
export const SAMPLES_PER_REASON = 5;
export const MAX_BATCH_REFUSALS = 20;

export interface RefusedLine {
  file: string;
  line: number;
  reason: string;
  text: string;
}

export interface BatchRefusal {
  batch_id: string;
  sensor: string;
  events: number;
  status: number | null;
  code: string;
  message: string;
}

export interface SensorSummary {
  name: string;
  sensor_id: string | null;
  operator: string;
  /** True when an earlier import's sensor of that name was reused. */
  reused: boolean;
  events: number;
  batches: number;
}

export interface ReplaySummary {
  files: Array<{ path: string; bytes: number; sha256: string | null; lines: number }>;
  lines: { read: number; events: number; skipped: Record<string, number>; refused: Record<string, number> };
  refused_lines: RefusedLine[];
  events: {
    excluded: Record<string, number>;
    batched: number;
    accepted: number;
    duplicate: number;
    refused: number;
    not_sent: number;
  };
  batches: { sent: number; accepted: number; duplicate: number; refused: number; not_sent: number };
  batch_refusals: BatchRefusal[];
  retries: Record<string, number>;
  sensors: SensorSummary[];
  /** Event time span of the batched events (ISO), null when none. */
  first_event: string | null;
  last_event: string | null;
  elapsed_ms: number;
  /** Batched events per second of wall time. */
  events_per_sec: number;
  /** Why the run ended early (`--strict`, interrupted), or null. */
  stopped: string | null;
  /** Every line and event is in exactly one of the counters above. */
  accounted: boolean;
}

const sum = (r: Readonly<Record<string, number>>): number => Object.values(r).reduce((a, b) => a + b, 0);

export class Tally {
  readonly lines = new LineStats();
  readonly refusedLines: RefusedLine[] = [];
  readonly files: ReplaySummary['files'] = [];
  readonly events = { batched: 0, accepted: 0, duplicate: 0, refused: 0, not_sent: 0 };
  readonly batches = { sent: 0, accepted: 0, duplicate: 0, refused: 0, not_sent: 0 };
  readonly batchRefusals: BatchRefusal[] = [];
  readonly retries = new Map<string, number>();
  readonly sensors = new Map<string, SensorSummary>();
  excluded: ReadonlyMap<string, number> = new Map();
  firstTs = Infinity;
  lastTs = -Infinity;
  stopped: string | null = null;
  private readonly started = Date.now();

  /** Counts one line's result; a refused line's first samples keep its file and line number. */
  line(r: ParseResult, file: string, lineNo: number, buf: Uint8Array, start: number, end: number): void {
    const sample = this.lines.count(r, buf, start, end);
    if (sample !== undefined)
      this.refusedLines.push({ file, line: lineNo, reason: sample.reason, text: sample.line });
  }

  batched(events: number, minTs: number, maxTs: number): void {
    this.events.batched += events;
    if (minTs < this.firstTs) this.firstTs = minTs;
    if (maxTs > this.lastTs) this.lastTs = maxTs;
  }

  retry(reason: string): void {
    this.retries.set(reason, (this.retries.get(reason) ?? 0) + 1);
  }

  summary(): ReplaySummary {
    const l = this.lines.snapshot();
    const excluded = Object.fromEntries(this.excluded);
    const e = this.events;
    const elapsed = Date.now() - this.started;
    const accounted =
      l.lines === l.events + sum(l.skipped) + sum(l.malformed) &&
      l.events === sum(excluded) + e.batched &&
      e.batched === e.accepted + e.duplicate + e.refused + e.not_sent;
    return {
      files: this.files.map((f) => ({ ...f })),
      lines: { read: l.lines, events: l.events, skipped: l.skipped, refused: l.malformed },
      refused_lines: [...this.refusedLines],
      events: { excluded, ...e },
      batches: { ...this.batches },
      batch_refusals: [...this.batchRefusals],
      retries: Object.fromEntries(this.retries),
      sensors: [...this.sensors.values()].map((s) => ({ ...s })),
      first_event: e.batched > 0 ? new Date(this.firstTs).toISOString() : null,
      last_event: e.batched > 0 ? new Date(this.lastTs).toISOString() : null,
      elapsed_ms: elapsed,
      events_per_sec: elapsed > 0 ? Math.round((e.batched / elapsed) * 1000) : 0,
      stopped: this.stopped,
      accounted,
    };
  }
}

const n = (x: number): string => x.toLocaleString('en-US');

/** The summary as the CLI prints it. */
export function formatSummary(s: ReplaySummary): string {
  const e = s.events;
  const out = [
    `${s.files.length} file(s), ${n(s.lines.read)} lines in ${(s.elapsed_ms / 1000).toFixed(1)} s (${n(s.events_per_sec)} events/s)` +
      (s.first_event ? `; events from ${s.first_event} to ${s.last_event}` : ''),
    `  lines: ${n(s.lines.events)} events; skipped: ${formatCounts(s.lines.skipped)}; refused: ${formatCounts(s.lines.refused)}`,
  ];
  for (const r of s.refused_lines) out.push(`    refused ${r.file}:${r.line} (${r.reason}): ${r.text}`);
  out.push(
    `  events: excluded by privacy: ${formatCounts(e.excluded)}; ${n(e.batched)} batched: ` +
      `accepted ${n(e.accepted)}, duplicate ${n(e.duplicate)}, refused ${n(e.refused)}, not sent ${n(e.not_sent)}`,
    `  batches: ${n(s.batches.sent)} sent: accepted ${s.batches.accepted}, duplicate ${s.batches.duplicate}, ` +
      `refused ${s.batches.refused}, not sent ${s.batches.not_sent}; retries: ${formatCounts(s.retries)}`,
  );
  for (const b of s.batch_refusals)
    out.push(
      `    refused batch ${b.batch_id} (${b.sensor}, ${b.events} events): ${b.status ?? ''} ${b.message}`,
    );
  for (const x of s.sensors) {
    const about = [
      x.sensor_id === x.name ? null : (x.sensor_id ?? 'not enrolled'),
      x.operator === '' ? null : `operator ${x.operator}`,
      x.reused ? 'reused' : null,
    ].filter((a) => a !== null);
    out.push(
      `  sensor ${x.name}${about.length > 0 ? ` (${about.join(', ')})` : ''}: ${n(x.events)} events in ${x.batches} batches`,
    );
  }
  if (s.stopped) out.push(`  stopped early: ${s.stopped}`);
  out.push(s.accounted ? '  every line is accounted for' : '  WARNING: the counters do not add up (a bug)');
  return out.join('\n');
}
