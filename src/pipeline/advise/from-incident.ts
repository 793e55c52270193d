/**
 * The IncidentDrafter the server wires into the workflow: reads the incident and its port's hourly series from
 * the Store, asks the knowledge base for the correlation (src/intel `correlate`, injected), computes the chart's
 * baseline band and calls the pure draftAdvisory.
 *
 * Chart window: from a day before the activity began (at least CHART_MIN_HOURS before now) to the end of the
 * last complete hour, at most CHART_MAX_HOURS; baseline history: BASELINE_DAYS before that, never after first_seen.
 */
import type { Clock } from '../../core/clock.js';
import type { Protocol } from '../../core/event.js';
import type { Incident } from '../../protocol/incident-types.js';
import type { Correlation } from '../../protocol/intel-types.js';
import type { Store } from '../../store/store.js';
import { baselineBand, HOUR_MS } from './draft/baseline-band.js';
import { draftAdvisory } from './draft/draft.js';
import type { IncidentDrafter } from './workflow/advisory-workflow.js';

export const CHART_MIN_HOURS = 48;
export const CHART_MAX_HOURS = 7 * 24;
export const BASELINE_DAYS = 7;
const DAY_MS = 86_400_000;

export interface IncidentDrafterOptions {
  store: Pick<Store, 'getIncident' | 'portSeries' | 'earliestBucket'>;
  /** What the knowledge base links to the port at a time; null when nothing (or no knowledge base). */
  correlate: (proto: Protocol, port: number, at: number) => Correlation | null;
  /** Event time: "now" for the data. */
  clock: Clock;
}

/**
 * @example const draft = makeIncidentDrafter({ store, correlate, clock: eventClock }); draft('in_tcp_1025_1176620400000')
 */
export function makeIncidentDrafter(o: IncidentDrafterOptions): IncidentDrafter {
  return (incidentId) => {
    const stored = o.store.getIncident(incidentId);
    if (!stored) return null;
    const incident = stored.body as Incident;
    const now = o.clock.now();
    const to = Math.floor(now / HOUR_MS) * HOUR_MS; // the current hour is incomplete: left out
    const start = Math.floor(incident.first_seen / HOUR_MS) * HOUR_MS;
    const from = Math.max(
      to - CHART_MAX_HOURS * HOUR_MS,
      Math.min(start - DAY_MS, to - CHART_MIN_HOURS * HOUR_MS),
    );
    const history = o.store.portSeries(
      incident.proto,
      incident.port,
      '1h',
      from - BASELINE_DAYS * DAY_MS,
      to,
    );
    const dataStart = o.store.earliestBucket('1h') ?? from;
    const content = draftAdvisory({
      incident,
      correlation: o.correlate(incident.proto, incident.port, incident.first_seen),
      series: history.filter((r) => r.bucket >= from),
      baseline: baselineBand(history, from, to, incident.first_seen, dataStart, BASELINE_DAYS),
      now,
    });
    return { proto: incident.proto, port: incident.port, content };
  };
}
