/**
 * Progress of a replay on standard error: a cli-progress bar over the bytes read (rate in events/s, ETA) when
 * the stream is a terminal and the total size is known; otherwise a plain line every `intervalMs`, which a log
 * file or CI output can keep.
 *
 * Invariants: nothing is written to standard output (it carries `--json`); a bar is stopped by done(), which
 * also prints a last plain line in line mode; the clock is injected, so the line mode is testable.
 */
import { SingleBar } from 'cli-progress';

export interface ProgressState {
  /** Bytes read from the files as stored (compressed bytes for .gz). */
  bytes: number;
  /** Total stored size, null when a file is standard input. */
  totalBytes: number | null;
  lines: number;
  /** Events batched so far. */
  events: number;
  /** Events the server acknowledged (accepted or duplicate). */
  acked: number;
}

export interface Progress {
  update(s: ProgressState): void;
  done(s: ProgressState): void;
}

const MB = 1_048_576;
const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');

/** One plain progress line. @example progressLine(s, 12_000) // 'read 3.1 / 3.8 MB (82%), 200,000 lines, ...' */
export function progressLine(s: ProgressState, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? (s.events / elapsedMs) * 1000 : 0;
  const parts = [
    `read ${(s.bytes / MB).toFixed(1)}${s.totalBytes !== null ? ` / ${(s.totalBytes / MB).toFixed(1)}` : ''} MB`,
  ];
  if (s.totalBytes !== null && s.totalBytes > 0) {
    const frac = Math.min(1, s.bytes / s.totalBytes);
    parts[0] += ` (${Math.floor(frac * 100)}%)`;
    if (frac > 0 && frac < 1) parts.push(`ETA ${Math.ceil(((elapsedMs / frac) * (1 - frac)) / 1000)} s`);
  }
  parts.push(
    `${fmt(s.lines)} lines`,
    `${fmt(s.events)} events`,
    `${fmt(s.acked)} acknowledged`,
    `${fmt(rate)} events/s`,
  );
  return parts.join(', ');
}

/** Plain lines at most every `intervalMs`, and one at the end. */
export function lineProgress(
  write: (text: string) => void,
  intervalMs: number,
  now: () => number = Date.now,
): Progress {
  const start = now();
  let last = start;
  return {
    update(s) {
      const t = now();
      if (t - last < intervalMs) return;
      last = t;
      write(`progress: ${progressLine(s, t - start)}\n`);
    },
    done(s) {
      write(`progress: ${progressLine(s, now() - start)}\n`);
    },
  };
}

/** A bar on a terminal; `total` is the stored size of every file. */
export function barProgress(stream: NodeJS.WriteStream, total: number): Progress {
  const start = Date.now();
  const bar = new SingleBar({
    stream,
    format:
      '{bar} {percentage}% | {mb} / {totalMb} MB | {events} events | {rate} events/s | ETA {eta_formatted}',
    hideCursor: true,
    etaBuffer: 50,
    fps: 5,
    barsize: 30,
  });
  const payload = (s: ProgressState): object => ({
    mb: (s.bytes / MB).toFixed(1),
    totalMb: (total / MB).toFixed(1),
    acked: fmt(s.acked),
    rate: fmt((s.acked / Math.max(1, Date.now() - start)) * 1000),
  });
  bar.start(total, 0, payload({ bytes: 0, totalBytes: total, lines: 0, events: 0, acked: 0 }));
  return {
    update: (s) => bar.update(Math.min(s.bytes, total), payload(s)),
    done: (s) => {
      bar.update(Math.min(s.bytes, total), payload(s));
      bar.stop();
    },
  };
}

/** The bar on a terminal with a known size, else plain lines every 5 s; `none` prints nothing. */
export function makeProgress(
  stream: NodeJS.WriteStream,
  totalBytes: number | null,
  mode: 'auto' | 'none' = 'auto',
): Progress {
  if (mode === 'none') return { update: () => undefined, done: () => undefined };
  if (stream.isTTY && totalBytes !== null) return barProgress(stream, totalBytes);
  return lineProgress((t) => stream.write(t), 5000);
}
