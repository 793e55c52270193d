/**
 * The advisory seam: advisories with their versions, analyst notes, threat-level decisions, and one audit log of
 * who changed what and when. Domain methods, not an ORM; src/pipeline/advise holds the workflow rules (which
 * transitions are legal) and calls these compare-and-set writes.
 *
 * Rules every implementation keeps:
 * - Every write is ONE transaction together with its audit entry: a change without its audit line never exists.
 * - Versions are append-only: `addVersion` writes version N+1 only when the advisory is still at `baseVersion`
 *   (optimistic concurrency); else SW_CONFLICT with `details: { status, version }` of the current record.
 * - `setStatus` changes the status only when it still is `from` (and, when given, the version is
 *   `expectVersion`); else SW_CONFLICT with the current status and version in details. With `publish`, the
 *   latest version becomes the published one and gets its published_at.
 * - `createAdvisory` with origin 'auto' is idempotent per incident: a second call returns the existing
 *   advisory unchanged (`created: false`), even when two callers race.
 * - Unknown ids: getters return undefined; writers throw SW_NOT_FOUND.
 * - Withdrawn advisories accept no new version (SW_CONFLICT).
 * - Lists are newest first (updated_at, then id); limits are the caller's.
 * - Times are ms since the epoch, given by the caller (the store reads no clock).
 */
import type { Protocol } from '../core/event.js';
import type {
  AdvisoryContent,
  AdvisoryOrigin,
  AdvisoryRecord,
  AdvisoryStatus,
  AdvisoryVersion,
  AuditEntity,
  AuditEntry,
  NoteLinks,
  NoteRecord,
  NoteStatus,
  ThreatDecision,
} from '../protocol/advisory-types.js';

/** Who and when, for every write (and its audit entry). */
export interface Actor {
  actor: string;
  at: number;
}

export interface NewAdvisory extends Actor {
  incident_id: string;
  proto: Protocol;
  port: number;
  origin: AdvisoryOrigin;
  content: AdvisoryContent;
  change_note: string;
}

export interface AdvisoryQuery {
  statuses?: readonly AdvisoryStatus[];
  incident_id?: string;
  limit: number;
}

export interface StatusChange extends Actor {
  from: AdvisoryStatus;
  to: AdvisoryStatus;
  note: string;
  /** Refuse unless the latest version is this one. */
  expectVersion?: number;
  /** Make the latest version the published one. */
  publish?: boolean;
}

export interface NewNote extends Actor {
  title: string;
  body_md: string;
  links: NoteLinks;
}

export interface NoteChange {
  title?: string;
  body_md?: string;
  links?: NoteLinks;
}

export interface NoteQuery {
  status?: NoteStatus;
  /** Only notes linked to this value (e.g. 'tcp/1025', an incident id, an advisory id or an IP). */
  link?: string;
  limit: number;
}

export type NewThreatDecision = Omit<ThreatDecision, 'id'>;

export interface AdvisoryStore {
  createAdvisory(input: NewAdvisory): { advisory: AdvisoryRecord; created: boolean };
  getAdvisory(id: string): AdvisoryRecord | undefined;
  listAdvisories(q: AdvisoryQuery): AdvisoryRecord[];
  getVersion(id: string, version: number): AdvisoryVersion | undefined;
  /** Ascending by version. */
  listVersions(id: string): AdvisoryVersion[];
  addVersion(
    id: string,
    baseVersion: number,
    content: AdvisoryContent,
    who: Actor & { change_note: string },
  ): AdvisoryRecord;
  setStatus(id: string, change: StatusChange): AdvisoryRecord;

  createNote(input: NewNote): NoteRecord;
  getNote(id: string): NoteRecord | undefined;
  updateNote(id: string, baseVersion: number, change: NoteChange, who: Actor): NoteRecord;
  /** Compare-and-set on the note's status (from → to); publishing sets published_at. */
  setNoteStatus(id: string, from: NoteStatus, to: NoteStatus, who: Actor): NoteRecord;
  listNotes(q: NoteQuery): NoteRecord[];

  addThreatDecision(d: NewThreatDecision): ThreatDecision;
  /** Newest first. */
  listThreatDecisions(limit: number): ThreatDecision[];

  /** Oldest first. */
  listAudit(entity: AuditEntity, entityId: string, limit: number): AuditEntry[];
}
