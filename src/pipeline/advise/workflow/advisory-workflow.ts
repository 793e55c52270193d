/**
 * The advisory workflow over an AdvisoryStore: automatic drafting (at most one per incident), edits with
 * optimistic concurrency, transitions by the table of transitions.ts, and the views the API answers.
 *
 * Invariants:
 * - Every write names its actor; "when" is the injected clock (real time, not the event clock).
 * - Every change of what the public sees calls `onPublished` with the public view AFTER the store committed:
 *   publication (published), republication (updated) and the withdrawal of a once-published advisory
 *   (withdrawn, so channels can retract it). A hook that throws or rejects is logged and never undoes the change.
 * - The public sees only advisories that were published, and only versions that were published; anything else
 *   answers SW_NOT_FOUND, so the public cannot tell a draft exists.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../../core/clock.js';
import { makeError } from '../../../core/errors.js';
import type { Protocol } from '../../../core/event.js';
import type {
  AdvisoryContent,
  AdvisoryHistoryResponse,
  AdvisoryRecord,
  AdvisoryStatus,
  AdvisorySummaryView,
  AdvisoryVersion,
  AdvisoryView,
} from '../../../protocol/advisory-types.js';
import type { AdvisoryStore } from '../../../store/advisory-store.js';
import { checkEditable, checkTransition, PUBLIC_STATUSES, publishes } from './transitions.js';
import { advisorySummary, advisoryView, historyView } from './views.js';

/** What drafting an incident gives: its key and the first version's content; null for an unknown incident. */
export type IncidentDrafter = (
  incidentId: string,
) => { proto: Protocol; port: number; content: AdvisoryContent } | null;

export type PublishedHook = (advisory: AdvisoryView) => void | Promise<void>;

export interface AdvisoryWorkflowOptions {
  store: AdvisoryStore;
  /** Real time: when each change happened. */
  clock: Clock;
  logger: Logger;
  draft: IncidentDrafter;
  onPublished?: PublishedHook;
}

export interface AdvisoryEdit {
  title?: string;
  summary?: string;
  body_md?: string;
}

export const SYSTEM_ACTOR = 'stormwatch';
const HISTORY_LIMIT = 10_000;

export class AdvisoryWorkflow {
  constructor(private readonly o: AdvisoryWorkflowOptions) {}

  /**
   * The automatic draft of an incident: created on the first call, returned unchanged afterwards (`created`
   * false). With origin 'manual' a further advisory is made every time.
   * @example workflow.draftForIncident('in_tcp_1025_1176620400000')
   */
  draftForIncident(
    incidentId: string,
    actor = SYSTEM_ACTOR,
    origin: 'auto' | 'manual' = 'auto',
  ): { advisory: AdvisoryRecord; created: boolean } {
    if (origin === 'auto') {
      const found = this.o.store
        .listAdvisories({ incident_id: incidentId, limit: 1000 })
        .find((a) => a.origin === 'auto');
      if (found) return { advisory: found, created: false };
    }
    const d = this.o.draft(incidentId);
    if (!d) throw makeError('SW_NOT_FOUND', `no incident ${incidentId}`);
    const result = this.o.store.createAdvisory({
      incident_id: incidentId,
      proto: d.proto,
      port: d.port,
      origin,
      content: d.content,
      actor,
      at: this.o.clock.now(),
      change_note: origin === 'auto' ? 'drafted automatically from the incident' : 'drafted on request',
    });
    if (result.created)
      this.o.logger.info({ advisory: result.advisory.id, incident: incidentId, origin }, 'advisory drafted');
    return result;
  }

  private must(id: string): AdvisoryRecord {
    const a = this.o.store.getAdvisory(id);
    if (!a) throw makeError('SW_NOT_FOUND', `no advisory ${id}`);
    return a;
  }

  private version(a: AdvisoryRecord, n: number): AdvisoryVersion {
    const v = this.o.store.getVersion(a.id, n);
    if (!v) throw makeError('SW_NOT_FOUND', `advisory ${a.id} has no version ${n}`);
    return v;
  }

  /** A new version from `baseVersion` (must be the latest: else SW_CONFLICT) with the edited text. */
  edit(
    id: string,
    baseVersion: number,
    edit: AdvisoryEdit,
    actor: string,
    changeNote: string,
  ): AdvisoryRecord {
    const a = this.must(id);
    checkEditable(a);
    if (baseVersion !== a.version)
      throw makeError(
        'SW_CONFLICT',
        `advisory ${id} is at version ${a.version}, the edit was based on ${baseVersion}`,
        {
          details: { status: a.status, version: a.version },
        },
      );
    const base = this.version(a, a.version);
    const content: AdvisoryContent = {
      title: edit.title ?? base.title,
      summary: edit.summary ?? base.summary,
      body_md: edit.body_md ?? base.body_md,
      fields: base.fields,
    };
    return this.o.store.addVersion(id, baseVersion, content, {
      actor,
      at: this.o.clock.now(),
      change_note: changeNote,
    });
  }

  /** Moves the advisory to `to` when the table allows it (else SW_CONFLICT with the current state). */
  transition(
    id: string,
    to: AdvisoryStatus,
    actor: string,
    note: string,
    expectVersion?: number,
  ): AdvisoryRecord {
    const a = this.must(id);
    checkTransition(a, to);
    const after = this.o.store.setStatus(id, {
      from: a.status,
      to,
      actor,
      at: this.o.clock.now(),
      note,
      publish: publishes(to),
      ...(expectVersion !== undefined ? { expectVersion } : {}),
    });
    if (publishes(to) || to === 'withdrawn') this.notify(after);
    return after;
  }

  private notify(a: AdvisoryRecord): void {
    const hook = this.o.onPublished;
    if (!hook || a.published_version === null) return; // a draft withdrawn was never public
    const shown = a.published_version;
    const log = (err: unknown): void =>
      this.o.logger.error(
        { err, advisory: a.id, version: a.version },
        'onPublished hook failed; the advisory stays published',
      );
    try {
      const r = hook(advisoryView(a, this.version(a, shown), false));
      if (r instanceof Promise) r.catch(log);
    } catch (err) {
      log(err);
    }
  }

  /** One advisory: the admin gets any version (default the latest); the public only published ones. */
  get(id: string, admin: boolean, version?: number): AdvisoryView {
    const a = this.must(id);
    if (admin) return advisoryView(a, this.version(a, version ?? a.version), true);
    if (a.published_version === null) throw makeError('SW_NOT_FOUND', `no advisory ${id}`);
    const v = this.version(a, version ?? a.published_version);
    if (v.published_at === null)
      throw makeError('SW_NOT_FOUND', `advisory ${id} has no published version ${v.version}`);
    return advisoryView(a, v, false);
  }

  list(
    q: { statuses?: readonly AdvisoryStatus[]; incident_id?: string; limit: number },
    admin: boolean,
  ): AdvisorySummaryView[] {
    const statuses = admin
      ? q.statuses
      : (q.statuses ?? PUBLIC_STATUSES).filter((s) => PUBLIC_STATUSES.includes(s));
    const items = this.o.store.listAdvisories({
      limit: q.limit,
      ...(statuses ? { statuses } : {}),
      ...(q.incident_id !== undefined ? { incident_id: q.incident_id } : {}),
    });
    return items.map((a) =>
      advisorySummary(a, this.version(a, admin ? a.version : (a.published_version ?? a.version))),
    );
  }

  history(id: string): AdvisoryHistoryResponse {
    const a = this.must(id);
    return historyView(
      a,
      this.o.store.listVersions(id),
      this.o.store.listAudit('advisory', id, HISTORY_LIMIT),
    );
  }
}
