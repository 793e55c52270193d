/**
 * A memory log for the ingest bench (STORMWATCH_BENCH_MEM_LOG): every 2 s, one JSON line of where the server's
 * memory is, in MiB: the process's resident and anonymous memory, the main thread's heap and external memory,
 * the aggregator thread's heap (used and committed, read from /metrics) and the rows it holds.
 */
import { appendFileSync, readFileSync } from 'node:fs';

const mib = (bytes: number): number => Math.round(bytes / 1048576);

function metric(text: string, name: string, kind: string): number {
  const m = new RegExp(`${name}\\{kind="${kind}"\\} (\\d+)`).exec(text);
  return m ? Number(m[1]) : NaN;
}

/** Starts the log; returns what stops it. */
export function startMemLog(serverUrl: string, file: string): () => void {
  const t0 = Date.now();
  const timer = setInterval(() => {
    void fetch(`${serverUrl}/metrics`)
      .then((r) => r.text())
      .then((text) => {
        const m = process.memoryUsage();
        const status = readFileSync('/proc/self/status', 'utf8');
        const anonKb = Number(/RssAnon:\s+(\d+)/.exec(status)?.[1] ?? NaN);
        const line = {
          t: Math.round((Date.now() - t0) / 1000),
          rss: mib(m.rss),
          anon: Math.round(anonKb / 1024),
          main_heap: mib(m.heapUsed),
          main_heap_total: mib(m.heapTotal),
          main_external: mib(m.external),
          worker_heap: mib(metric(text, 'stormwatch_aggregate_heap_bytes', 'used')),
          worker_committed: mib(metric(text, 'stormwatch_aggregate_heap_bytes', 'committed')),
          port_rows: metric(text, 'stormwatch_aggregate_rows_in_memory', 'port'),
          source_days: metric(text, 'stormwatch_aggregate_rows_in_memory', 'source_day'),
        };
        appendFileSync(file, JSON.stringify(line) + '\n');
      })
      .catch(() => undefined);
  }, 2000);
  return () => clearInterval(timer);
}
