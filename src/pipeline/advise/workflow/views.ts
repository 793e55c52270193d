/**
 * API views of advisories: times as ISO text, the body rendered and sanitised. The public view shows the
 * published version and no actor names; the admin view any version, with origin and author.
 */
import type {
  AdvisoryHistoryResponse,
  AdvisoryRecord,
  AdvisorySummaryView,
  AdvisoryVersion,
  AdvisoryView,
  AuditEntry,
} from '../../../protocol/advisory-types.js';
import { renderMarkdown } from '../notes/render.js';

const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

export function advisoryView(a: AdvisoryRecord, v: AdvisoryVersion, admin: boolean): AdvisoryView {
  return {
    id: a.id,
    incident_id: a.incident_id,
    proto: a.proto,
    port: a.port,
    status: a.status,
    version: v.version,
    latest_version: a.version,
    published_version: a.published_version,
    title: v.title,
    summary: v.summary,
    body_md: v.body_md,
    body_html: renderMarkdown(v.body_md),
    fields: v.fields,
    created_at: iso(a.created_at),
    updated_at: iso(a.updated_at),
    published_at: isoOrNull(a.published_at),
    withdrawn_at: isoOrNull(a.withdrawn_at),
    ...(admin ? { origin: a.origin, created_by: a.created_by } : {}),
  };
}

export function advisorySummary(
  a: AdvisoryRecord,
  v: Pick<AdvisoryVersion, 'version' | 'title' | 'summary'>,
): AdvisorySummaryView {
  return {
    id: a.id,
    incident_id: a.incident_id,
    proto: a.proto,
    port: a.port,
    status: a.status,
    version: v.version,
    title: v.title,
    summary: v.summary,
    updated_at: iso(a.updated_at),
    published_at: isoOrNull(a.published_at),
  };
}

export function historyView(
  a: AdvisoryRecord,
  versions: readonly AdvisoryVersion[],
  audit: readonly AuditEntry[],
): AdvisoryHistoryResponse {
  return {
    id: a.id,
    status: a.status,
    versions: versions.map((v) => ({
      version: v.version,
      title: v.title,
      actor: v.actor,
      at: iso(v.at),
      change_note: v.change_note,
      published_at: isoOrNull(v.published_at),
    })),
    audit: audit.map((e) => ({ ...e, at: iso(e.at) })),
  };
}
