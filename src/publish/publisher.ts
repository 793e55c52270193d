/**
 * What the server publishes, and when: the bridge from the detector and the advisory workflow to the channel
 * dispatcher (src/publish/dispatcher).
 *
 * Invariants:
 * - An incident that opens, re-opens or escalates at `draft_min_level` or above gets its automatic advisory draft
 *   (idempotent per incident: AdvisoryWorkflow.draftForIncident) and an `incident.*` message; a backfilled
 *   incident gets neither (the detector does not notify those).
 * - A published or updated advisory becomes one message per published version, with its STIX 2.1 bundle (report,
 *   port indicator, vulnerabilities, relationships); a withdrawn one a `advisory.withdrawn` message. Message ids are
 *   stable ('advisory:<id>:v<n>'), so a retry or a restart never delivers a version twice to a channel.
 * - A published note becomes a `note.published` message ('note:<id>:v<n>'); an analyst's threat-level decision a
 *   `threat_level.changed` message ('threat:<decision id>', without the actor's name).
 * - Nothing here throws into its caller: a failure is logged and counted; the detector and the workflow go on.
 */
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type {
  AdvisoryView,
  NoteView,
  ThreatDecision,
  ThreatLevelInForce,
} from '../protocol/advisory-types.js';
import type { AlertLevel, Incident } from '../protocol/incident-types.js';
import type { Notification } from '../pipeline/detect/model/types.js';
import type { AdvisoryStore } from '../store/advisory-store.js';
import type { PublishMessage } from './channels/types.js';
import type { Dispatcher } from './dispatcher/dispatcher.js';
import { advisoryObjects } from './stix/advisory.js';
import { stixAdvisoryInput } from './stix/from-advisory.js';
import { makeBundle, makeIdentity } from './stix/objects.js';

const RANK: Record<AlertLevel, number> = { info: 0, low: 1, medium: 2, high: 3 };
const anonymous = ({ actor: _actor, ...rest }: ThreatDecision): Omit<ThreatDecision, 'actor'> => rest;

/** How a threat level maps onto the message levels routes match on (`min_level`). */
const THREAT_TO_LEVEL: Record<ThreatDecision['level'], AlertLevel> = {
  normal: 'info',
  elevated: 'low',
  high: 'medium',
  severe: 'high',
};

/** Titles and summaries within the message limits (src/publish/channels/types.ts), cut at a word with "…". */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${space > max / 2 ? cut.slice(0, space) : cut}…`;
}

export interface PublisherOptions {
  dispatcher: Pick<Dispatcher, 'enqueue'> | null;
  advisories: Pick<AdvisoryStore, 'getAdvisory' | 'getVersion'>;
  /** Makes (or finds) the automatic draft of an incident. */
  draftForIncident: (incidentId: string) => { advisory: { id: string }; created: boolean };
  logger: Logger;
  clock: Clock;
  /** Base URL of the server in links (no trailing slash); read when a message is made. */
  publicUrl: () => string;
  /** Incidents at this level or above get an automatic draft and a message. */
  draftMinLevel: AlertLevel;
}

export interface PublisherStats {
  drafts_created: number;
  messages_enqueued: number;
  failures: number;
}

export class Publisher {
  readonly stats: PublisherStats = { drafts_created: 0, messages_enqueued: 0, failures: 0 };
  private readonly identity = makeIdentity();

  constructor(private readonly o: PublisherOptions) {}

  /** The detector's hook (startDetector onNotification). */
  onNotification = (n: Notification): void => {
    const inc = n.incident;
    if (n.kind === 'resolved' || RANK[inc.level] < RANK[this.o.draftMinLevel]) return;
    this.guard(`incident ${inc.id}`, () => {
      const { advisory, created } = this.o.draftForIncident(inc.id);
      if (created) this.stats.drafts_created++;
      this.enqueue(this.incidentMessage(n.kind, inc, advisory.id));
    });
  };

  /**
   * At start: the automatic drafts a crash may have lost (the detector committed the incident, the process died
   * before its notification reached here). Drafting is idempotent per incident; no message is sent again.
   */
  catchUp(active: readonly Incident[]): number {
    let made = 0;
    for (const inc of active) {
      if (inc.backfilled || RANK[inc.level] < RANK[this.o.draftMinLevel] || inc.status === 'candidate')
        continue;
      this.guard(`incident ${inc.id}`, () => {
        if (this.o.draftForIncident(inc.id).created) {
          made++;
          this.stats.drafts_created++;
        }
      });
    }
    return made;
  }

  /** The notes' hook: a published note becomes `note:<id>:v<version>`. */
  onNote = (note: NoteView): void => {
    this.guard(`note ${note.id}`, () => {
      const plain = note.body_md
        .replace(/<[^>]*>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim();
      this.enqueue({
        id: `note:${note.id}:v${note.version}`,
        kind: 'note.published',
        title: clip(note.title, 300),
        summary: clip(plain, 4000),
        url: `${this.o.publicUrl()}/api/v1/notes/${encodeURIComponent(note.id)}`,
        markdown: note.body_md,
        html: note.body_html,
        json: note,
        created_at: this.o.clock.now(),
      });
    });
  };

  /** The threat desk's hook: an analyst's decision becomes `threat:<decision id>`. */
  onThreatDecision = (decision: ThreatDecision, current: ThreatLevelInForce): void => {
    this.guard(`threat-level decision ${decision.id}`, () => {
      const summary = clip(
        `Threat level in force: ${current.level} (${current.source}). ${current.why} Analyst's reason: ${decision.reason}`,
        4000,
      );
      this.enqueue({
        id: `threat:${decision.id}`,
        kind: 'threat_level.changed',
        title: `Threat level set to ${decision.level}`,
        summary,
        url: `${this.o.publicUrl()}/api/v1/threat-level/history`,
        level: THREAT_TO_LEVEL[decision.level],
        markdown: `**Threat level: ${decision.level}**\n\n${decision.reason}`,
        // Channels may be public: the analyst's name stays on the server.
        json: {
          decision: anonymous(decision),
          current: { ...current, decision: current.decision === null ? null : anonymous(current.decision) },
        },
        created_at: this.o.clock.now(),
      });
    });
  };

  /** The advisory workflow's hook (published, updated, withdrawn). */
  onAdvisory = (view: AdvisoryView): void => {
    this.guard(`advisory ${view.id}`, () => {
      const msg = this.advisoryMessage(view);
      if (msg) this.enqueue(msg);
    });
  };

  advisoryMessage(view: AdvisoryView): PublishMessage | null {
    const url = `${this.o.publicUrl()}/api/v1/advisories/${encodeURIComponent(view.id)}`;
    const base = {
      ...(view.proto === 'other' ? {} : { proto: view.proto }),
      title: clip(view.title, 300),
      summary: clip(view.summary, 4000),
      url,
      level: view.fields.incident.level,
      port: view.port,
      markdown: view.body_md,
      html: view.body_html,
      json: view,
      created_at: this.o.clock.now(),
    };
    if (view.status === 'withdrawn') {
      return { ...base, id: `advisory:${view.id}:withdrawn`, kind: 'advisory.withdrawn' };
    }
    const record = this.o.advisories.getAdvisory(view.id);
    const n = view.published_version;
    const version = record && n !== null ? this.o.advisories.getVersion(view.id, n) : undefined;
    if (!record || !version) return null;
    const stix = makeBundle([
      this.identity,
      ...advisoryObjects(stixAdvisoryInput(record, version), this.identity),
    ]);
    return {
      ...base,
      id: `advisory:${view.id}:v${n}`,
      kind: view.status === 'updated' ? 'advisory.updated' : 'advisory.published',
      stix,
    };
  }

  private incidentMessage(kind: Notification['kind'], inc: Incident, advisoryId: string): PublishMessage {
    const e = inc.evidence;
    const key = `${inc.proto.toUpperCase()}/${inc.port}`;
    const summary =
      `${e.observed.toFixed(0)} sources against ${e.expected.toFixed(1)} expected (×${e.fold.toFixed(1)}) ` +
      `over ${e.window} ${e.granularity} bucket(s), seen by ${e.operators} operators; an advisory draft awaits review.`;
    return {
      id: `incident:${inc.id}:${kind}:${inc.level}`,
      kind: kind === 'escalated' ? 'incident.escalated' : 'incident.opened',
      title: `${inc.level} incident on ${key}${kind === 'reopened' ? ' (re-opened)' : ''}`,
      summary,
      url: `${this.o.publicUrl()}/api/v1/incidents/${encodeURIComponent(inc.id)}`,
      level: inc.level,
      ...(inc.proto === 'other' ? {} : { proto: inc.proto }),
      port: inc.port,
      markdown: `**${key}**: ${summary}\n\nDraft advisory: ${this.o.publicUrl()}/api/v1/advisories/${advisoryId}`,
      json: { incident: inc, advisory_id: advisoryId },
      created_at: this.o.clock.now(),
    };
  }

  private enqueue(msg: PublishMessage): void {
    if (!this.o.dispatcher) return;
    this.o.dispatcher.enqueue(msg);
    this.stats.messages_enqueued++;
  }

  private guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.stats.failures++;
      this.o.logger.error({ err, what }, 'publishing failed; the detector and the workflow go on');
    }
  }
}
