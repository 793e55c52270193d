/**
 * Advisories, analyst notes and threat-level decisions: what the store keeps (times in ms since the epoch, UTC)
 * and what the API answers (times as ISO 8601 text). src/pipeline/advise makes and moves them; docs/ADVISORIES.md
 * describes the workflow.
 *
 * Invariants:
 * - An advisory's versions are numbered 1, 2, 3... and never change once written; `version` on the record is the
 *   latest, `published_version` the one the public sees (null before the first publication).
 * - Structured fields (AdvisoryFields) already carry times as ISO text, so channels can send them unchanged.
 */
import type { Protocol } from '../core/event.js';
import type { AlertLevel, IncidentStatus, ThreatAssessment, ThreatLevel } from './incident-types.js';

export const ADVISORY_STATUSES = ['draft', 'in_review', 'published', 'updated', 'withdrawn'] as const;
export type AdvisoryStatus = (typeof ADVISORY_STATUSES)[number];
/** Where an advisory came from: the automatic drafting (at most one per incident) or an analyst's request. */
export type AdvisoryOrigin = 'auto' | 'manual';

/** One inbound range to block, e.g. tcp 1024-65535, with why. */
export interface BlockRange {
  proto: 'tcp' | 'udp';
  from: number;
  to: number;
  reasons: string[];
}

export interface ChartPoint {
  t: string;
  sources: number;
  /** The baseline's expected sources and its interval for the hour; null where no history was available. */
  expected: number | null;
  low: number | null;
  high: number | null;
}

export interface ChartData {
  title: string;
  proto: Protocol;
  port: number;
  points: ChartPoint[];
  /** When the activity began (the incident's first_seen), drawn as a marker; null when outside the points. */
  marker: string | null;
}

export interface FirewallSnippets {
  iptables: string;
  nftables: string;
  pf: string;
  netsh: string;
  powershell: string;
}

/** The machine-readable part of an advisory version: every number the text quotes. */
export interface AdvisoryFields {
  schema: 1;
  as_of: string;
  incident: {
    id: string;
    proto: Protocol;
    port: number;
    status: IncidentStatus;
    level: AlertLevel;
    severity: number;
    first_seen: string;
    opened_at: string;
  };
  confidence: {
    label: 'low' | 'medium' | 'high';
    operators: number;
    effective_operators: number;
    handshake_share: number | null;
    words: string;
  };
  evidence: {
    test: 'spike' | 'cusum' | 'new_port';
    granularity: string;
    window_buckets: number;
    window_hours: number;
    p_value: number;
    alpha: number;
    sources: { observed: number; expected: number; interval: [number, number] };
    fold: number;
    events: { observed: number; expected: number };
    sensors: { observed: number; expected: number };
    operators: number;
    effective_operators: number;
    max_operator_share: number;
    growth: { slope_per_hour: number; doubling_hours: number | null } | null;
    gates_passed: string[];
    top_countries: Array<{ country: string; sources: number }>;
  };
  /** Hedged statements: what we observe, what we have not confirmed, how the timing relates. */
  statements: { observed: string[]; not_confirmed: string[]; timing: string[] };
  services: Array<{ name: string; description: string; score: number; reasons: string[] }>;
  vulnerabilities: Array<{
    id: string;
    title: string;
    published: string;
    cvss: number | null;
    kev_added: string | null;
    advisories: string[];
    exploits: Array<{
      id: string;
      title: string;
      published: string;
      port: number | null;
      url: string | null;
    }>;
  }>;
  exploit_count: number;
  recommendations: { block: BlockRange[]; actions: string[] };
  firewall: FirewallSnippets;
  chart: ChartData;
}

/** The editable content of one version. */
export interface AdvisoryContent {
  title: string;
  summary: string;
  body_md: string;
  fields: AdvisoryFields;
}

export interface AdvisoryRecord {
  id: string;
  incident_id: string;
  proto: Protocol;
  port: number;
  origin: AdvisoryOrigin;
  status: AdvisoryStatus;
  version: number;
  published_version: number | null;
  created_at: number;
  created_by: string;
  updated_at: number;
  published_at: number | null;
  withdrawn_at: number | null;
}

export interface AdvisoryVersion extends AdvisoryContent {
  advisory_id: string;
  version: number;
  actor: string;
  at: number;
  change_note: string;
  /** When this version went public (publish or republish); null for versions never published. */
  published_at: number | null;
}

export type AuditEntity = 'advisory' | 'note' | 'threat_level';

export interface AuditEntry {
  id: number;
  at: number;
  actor: string;
  entity: AuditEntity;
  entity_id: string;
  /** e.g. 'create', 'edit', 'transition', 'publish', 'decide'. */
  action: string;
  detail: string;
}

export type NoteStatus = 'draft' | 'published';

/** What a note is about: ports as 'tcp/1025', incident ids, advisory ids, IP addresses. */
export interface NoteLinks {
  ports: string[];
  incidents: string[];
  advisories: string[];
  ips: string[];
}

export interface NoteRecord {
  id: string;
  title: string;
  body_md: string;
  links: NoteLinks;
  status: NoteStatus;
  version: number;
  created_at: number;
  created_by: string;
  updated_at: number;
  updated_by: string;
  published_at: number | null;
}

export interface ThreatDecision {
  id: number;
  level: ThreatLevel;
  reason: string;
  actor: string;
  at: number;
  /** The detector's suggestion when the decision was taken. */
  suggestion: ThreatAssessment;
}

/** The threat level in force and why: the analyst's decision or the detector's suggestion. */
export interface ThreatLevelInForce {
  level: ThreatLevel;
  source: 'analyst' | 'detector';
  why: string;
  suggestion: ThreatAssessment;
  decision: ThreatDecision | null;
  /** The decision is older than the expiry. */
  decision_expired: boolean;
}

// ---- API views (times as ISO text) ----

export interface AdvisoryView {
  id: string;
  incident_id: string;
  proto: Protocol;
  port: number;
  status: AdvisoryStatus;
  /** The version shown, the latest one, and the one the public sees. */
  version: number;
  latest_version: number;
  published_version: number | null;
  title: string;
  summary: string;
  body_md: string;
  /** body_md rendered and sanitised (the notes' allowlist). */
  body_html: string;
  fields: AdvisoryFields;
  created_at: string;
  updated_at: string;
  published_at: string | null;
  withdrawn_at: string | null;
  /** Admin views only. */
  origin?: AdvisoryOrigin;
  created_by?: string;
}

export interface AdvisorySummaryView {
  id: string;
  incident_id: string;
  proto: Protocol;
  port: number;
  status: AdvisoryStatus;
  version: number;
  title: string;
  summary: string;
  updated_at: string;
  published_at: string | null;
}

export interface AdvisoriesResponse {
  items: AdvisorySummaryView[];
}

export interface AdvisoryHistoryResponse {
  id: string;
  status: AdvisoryStatus;
  versions: Array<{
    version: number;
    title: string;
    actor: string;
    at: string;
    change_note: string;
    published_at: string | null;
  }>;
  audit: Array<Omit<AuditEntry, 'at'> & { at: string }>;
}

export interface NoteView {
  id: string;
  title: string;
  body_md: string;
  body_html: string;
  links: NoteLinks;
  status: NoteStatus;
  version: number;
  created_at: string;
  updated_at: string;
  published_at: string | null;
  /** Admin views only. */
  created_by?: string;
  updated_by?: string;
}

export interface NotesResponse {
  items: NoteView[];
}

export interface ThreatDecisionView extends Omit<ThreatDecision, 'at' | 'actor'> {
  at: string;
  /** Admin views only. */
  actor?: string;
}

export interface ThreatLevelInForceView extends Omit<ThreatLevelInForce, 'decision'> {
  decision: ThreatDecisionView | null;
}

export interface ThreatLevelHistoryResponse {
  current: ThreatLevelInForceView;
  items: ThreatDecisionView[];
}
