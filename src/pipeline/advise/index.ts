/**
 * The advise stage: advisory drafts from incidents, the advisory workflow, analyst notes and threat-level
 * decisions. `createAdvise` composes them for the server (src/api/analyst-side.ts wires the result into the API
 * and connects `onPublished` to the channel dispatcher through the Publisher).
 */
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import type { Protocol } from '../../core/event.js';
import type { ThreatAssessment } from '../../protocol/incident-types.js';
import type { NoteView, ThreatDecision, ThreatLevelInForce } from '../../protocol/advisory-types.js';
import type { Correlation } from '../../protocol/intel-types.js';
import type { AdvisoryStore } from '../../store/advisory-store.js';
import type { Store } from '../../store/store.js';
import { makeIncidentDrafter } from './from-incident.js';
import { NoteService } from './notes/note-service.js';
import { ThreatDesk } from './threat/threat-level.js';
import { AdvisoryWorkflow } from './workflow/advisory-workflow.js';
import type { PublishedHook } from './workflow/advisory-workflow.js';

export { draftAdvisory } from './draft/draft.js';
export type { DraftInput } from './draft/draft.js';
export { baselineBand } from './draft/baseline-band.js';
export { chartSvg } from './draft/chart-svg.js';
export { svgToPng } from './draft/chart-png.js';
export { makeIncidentDrafter } from './from-incident.js';
export { renderMarkdown, sanitize } from './notes/render.js';
export { NoteService, noteView } from './notes/note-service.js';
export { levelInForce, ThreatDesk, DEFAULT_DECISION_EXPIRY_MS } from './threat/threat-level.js';
export { AdvisoryWorkflow, SYSTEM_ACTOR } from './workflow/advisory-workflow.js';
export type { IncidentDrafter, PublishedHook } from './workflow/advisory-workflow.js';

export interface AdviseOptions {
  store: Pick<Store, 'getIncident' | 'portSeries' | 'earliestBucket'>;
  advisories: AdvisoryStore;
  /** src/intel correlate(); null when the knowledge base knows nothing of the port. */
  correlate: (proto: Protocol, port: number, at: number) => Correlation | null;
  /** Event time (the data's now) and real time (who changed what when). */
  eventClock: Clock;
  authClock: Clock;
  logger: Logger;
  /** The detector's current suggestion. */
  suggestion: () => ThreatAssessment;
  onPublished?: PublishedHook;
  /** Called after a note is published and after an analyst's threat-level decision (the channels). */
  onNotePublished?: (note: NoteView) => void;
  onThreatDecision?: (decision: ThreatDecision, current: ThreatLevelInForce) => void;
  /** How long an analyst's threat-level decision stays in force; default 24 h. */
  decisionExpiryMs?: number;
}

export interface Advise {
  workflow: AdvisoryWorkflow;
  notes: NoteService;
  desk: ThreatDesk;
}

/**
 * @example const advise = createAdvise({ store, advisories, correlate, eventClock, authClock, logger, suggestion })
 */
export function createAdvise(o: AdviseOptions): Advise {
  return {
    workflow: new AdvisoryWorkflow({
      store: o.advisories,
      clock: o.authClock,
      logger: o.logger.child({ component: 'advise' }),
      draft: makeIncidentDrafter({ store: o.store, correlate: o.correlate, clock: o.eventClock }),
      ...(o.onPublished ? { onPublished: o.onPublished } : {}),
    }),
    notes: new NoteService({
      store: o.advisories,
      clock: o.authClock,
      ...(o.onNotePublished ? { onPublished: o.onNotePublished } : {}),
    }),
    desk: new ThreatDesk({
      store: o.advisories,
      clock: o.authClock,
      suggestion: o.suggestion,
      ...(o.decisionExpiryMs !== undefined ? { expiryMs: o.decisionExpiryMs } : {}),
      ...(o.onThreatDecision ? { onDecision: o.onThreatDecision } : {}),
    }),
  };
}
