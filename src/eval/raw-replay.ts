/**
 * Replays a file as it is (no cloning, each host its own operator unless the file has an `operator` column)
 * through an engine over all its days, and returns the alert log: used for the raw marx listing (every incident
 * and local anomaly with its evidence, for a person to judge) and for `stormwatch eval --events`.
 *
 * Invariants: addresses and times are the file's; the whole day range of the file is replayed once, in order.
 */
import { AlertLog } from './alert-log.js';
import type { EventColumns } from './columns.js';
import type { EngineFactory } from './engine-factory.js';
import { buildFleet } from './fleet.js';
import type { BucketInput } from '../core/observation.js';
import type { BucketResult } from '../pipeline/detect/model/types.js';
import { PER_DAY, replay } from './replay.js';

export interface RawReplay {
  log: AlertLog;
  days: number;
  sensors: number;
  operators: number;
  elapsed_ms: number;
}

export function rawReplay(
  cols: EventColumns,
  make: EngineFactory,
  alpha_scale: number,
  onBucket?: (input: BucketInput, result: BucketResult) => void,
): RawReplay {
  const t = Date.now();
  const { fleet, table } = buildFleet(cols, {
    copies: 1,
    operators_per_copy: 0,
    seed: 0,
    map_sources: false,
  });
  const engine = make({ alpha_scale });
  const log = new AlertLog();
  replay(engine, {
    fleet,
    table,
    from: 0,
    to: fleet.days * PER_DAY,
    onBucket: (i, r) => {
      log.onBucket(i, r);
      onBucket?.(i, r);
    },
  });
  return {
    log,
    days: fleet.days,
    sensors: fleet.sensors.length,
    operators: fleet.operators.length,
    elapsed_ms: Date.now() - t,
  };
}
