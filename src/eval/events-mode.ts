/**
 * `stormwatch eval --events FILE`: replays any events file (marx layout, optional operator column) through the
 * engine on a virtual clock and writes every incident change and local anomaly as one JSON line.
 *
 * Invariants: one line per incident change (as after its bucket) and per local anomaly, in bucket order; times
 * are ISO 8601 UTC; nothing else goes to the writer (the summary goes to the returned value).
 */
import { GRANULARITIES } from '../core/buckets.js';
import { loadColumns } from './columns.js';
import type { ReadStats } from './csv-events.js';
import type { EngineFactory } from './engine-factory.js';
import { rawReplay } from './raw-replay.js';

const iso = (t: number): string => new Date(t).toISOString();

export async function replayEventsFile(
  path: string,
  make: EngineFactory,
  alpha_scale: number,
  write: (line: string) => void,
): Promise<{ stats: ReadStats; incidents: number; anomalies: number; days: number; elapsed_ms: number }> {
  const cols = await loadColumns(path);
  let anomalies = 0;
  const r = rawReplay(cols, make, alpha_scale, (_input, res) => {
    const at = iso(res.bucket + GRANULARITIES[res.granularity]);
    for (const inc of res.changed) {
      write(
        JSON.stringify({
          kind: 'incident',
          at,
          id: inc.id,
          proto: inc.proto,
          port: inc.port,
          opened_at: iso(inc.opened_at),
          first_seen: iso(inc.first_seen),
          severity: inc.severity,
          level: inc.level,
          status: inc.status,
          confidence: inc.confidence,
          evidence: inc.evidence,
        }),
      );
    }
    for (const a of res.anomalies) {
      anomalies++;
      write(
        JSON.stringify({
          kind: 'local_anomaly',
          at,
          proto: a.proto,
          port: a.port,
          bucket: iso(a.bucket),
          granularity: a.granularity,
          operators: a.operators,
          evidence: a.evidence,
        }),
      );
    }
  });
  return {
    stats: cols.stats,
    incidents: r.log.incidents.size,
    anomalies,
    days: r.days,
    elapsed_ms: r.elapsed_ms,
  };
}
