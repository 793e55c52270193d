/**
 * The events of a file held in columns (typed arrays), read once: the source every replay and every clone is
 * built from.
 *
 * Invariants: columns have one entry per accepted event, in file order; `host[i]` indexes `hosts`; a host's
 * operator is the `operator` column of its first row when present, else the host itself (its own operator).
 */
import { readEvents } from './csv-events.js';
import type { ReadStats } from './csv-events.js';
import { evalKey } from './keys.js';

export interface EventColumns {
  t: Float64Array;
  host: Uint16Array;
  src: Uint32Array;
  key: Int32Array;
  hosts: string[];
  hostOperator: string[];
  stats: ReadStats;
}

export async function loadColumns(path: string): Promise<EventColumns> {
  const t: number[] = [];
  const host: number[] = [];
  const src: number[] = [];
  const key: number[] = [];
  const hostIndex = new Map<string, number>();
  const hosts: string[] = [];
  const hostOperator: string[] = [];
  const stats = await readEvents(path, (ev) => {
    let h = hostIndex.get(ev.host);
    if (h === undefined) {
      h = hosts.length;
      hostIndex.set(ev.host, h);
      hosts.push(ev.host);
      hostOperator.push(ev.operator ?? ev.host);
    }
    t.push(ev.t);
    host.push(h);
    src.push(ev.src);
    key.push(evalKey(ev.proto, ev.port));
  });
  return {
    t: Float64Array.from(t),
    host: Uint16Array.from(host),
    src: Uint32Array.from(src),
    key: Int32Array.from(key),
    hosts,
    hostOperator,
    stats,
  };
}
