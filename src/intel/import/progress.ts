/**
 * The progress bar of an import on a terminal (standard error): bytes read of the file's size. Nothing is
 * drawn when the stream is not a terminal (logs and pipes get the summary only), nor on standard output, which
 * carries `--json`. The import is synchronous, so the bar redraws inside `update` (cli-progress'
 * synchronousUpdate, throttled to its fps), not from a timer.
 */
import { SingleBar } from 'cli-progress';

export interface ImportProgress {
  update(bytesRead: number, totalBytes: number): void;
  stop(): void;
}

const NONE: ImportProgress = { update: () => undefined, stop: () => undefined };
const MB = 1_048_576;

/** @example const p = importProgress(process.stderr, 'nvdcve-2.0-2024.json', flags.progress) */
export function importProgress(stream: NodeJS.WriteStream, label: string, enabled: boolean): ImportProgress {
  if (!enabled || stream.isTTY !== true) return NONE;
  const bar = new SingleBar({
    stream,
    format: `${label} {bar} {percentage}% | {mb} / {totalMb} MB | ETA {eta_formatted}`,
    hideCursor: true,
    fps: 5,
    barsize: 30,
  });
  let started = false;
  return {
    update(bytes, total) {
      const payload = { mb: (bytes / MB).toFixed(1), totalMb: (total / MB).toFixed(1) };
      if (!started) {
        bar.start(Math.max(1, total), 0, payload);
        started = true;
      }
      bar.update(Math.min(bytes, total), payload);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
