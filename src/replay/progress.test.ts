import { describe, expect, it } from 'vitest';
import { lineProgress, makeProgress, progressLine } from './progress.js';
import type { ProgressState } from './progress.js';

const MB = 1_048_576;
const at = (bytes: number, events: number): ProgressState => ({
  bytes,
  totalBytes: 4 * MB,
  lines: events + 1,
  events,
  acked: events - 10,
});

describe('progress', () => {
  it('says bytes, share, ETA from the share read, lines, events and the event rate', () => {
    expect(progressLine(at(MB, 100_000), 20_000)).toBe(
      'read 1.0 / 4.0 MB (25%), ETA 60 s, 100,001 lines, 100,000 events, 99,990 acknowledged, 5,000 events/s',
    );
    expect(progressLine({ ...at(MB, 10), totalBytes: null }, 1000)).toBe(
      'read 1.0 MB, 11 lines, 10 events, 0 acknowledged, 10 events/s',
    );
    expect(progressLine(at(4 * MB, 10), 1000)).not.toContain('ETA');
  });

  it('writes a plain line at most every interval, and one at the end', () => {
    let t = 0;
    const out: string[] = [];
    const p = lineProgress(
      (s) => out.push(s),
      5000,
      () => t,
    );
    for (t = 0; t <= 12_000; t += 1000) p.update(at(t * 100, t));
    expect(out).toHaveLength(2); // at 5 s and 10 s
    expect(out[0]).toMatch(/^progress: read 0\.5 \/ 4\.0 MB \(11%\), ETA 37 s,/);
    p.done(at(4 * MB, 20_000));
    expect(out[2]).toMatch(/^progress: read 4\.0 \/ 4\.0 MB \(100%\), .* 20,000 events,/);
  });

  it('draws nothing when asked not to, and no bar on a stream that is not a terminal', () => {
    const written: string[] = [];
    const stream = { isTTY: false, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream;
    makeProgress(stream, 4 * MB, 'none').done(at(MB, 1));
    expect(written).toEqual([]);
    makeProgress(stream, 4 * MB).done(at(MB, 1));
    expect(written[0]).toMatch(/^progress: read 1\.0 \/ 4\.0 MB/);
  });
});
