/**
 * Knowledge linked to a port: services and technologies, vulnerabilities, exploits, and the correlation of an
 * alert with them. src/intel makes these (registry, curated data, importers, correlation); src/pipeline/advise
 * turns them into advisory drafts; src/api shows them. Times are ms since the epoch (UTC).
 */
import type { Protocol } from '../core/event.js';

/** Where a piece of knowledge came from, so that an analyst can check it. */
export interface KnowledgeSource {
  /** e.g. 'iana', 'curated', 'nvd', 'cisa-kev', 'exploit-db', 'manual'. */
  kind: string;
  /** A URL or document reference. */
  ref: string;
}

/** A service or technology that may be what an attacked port reaches, ranked with its reasons. */
export interface ServiceCandidate {
  /** Short name, e.g. 'msrpc-dynamic', 'smb', 'epmap'. */
  name: string;
  description: string;
  /** Curated technology family id, e.g. 'microsoft-rpc'; null for a bare registry entry. */
  family: string | null;
  /** 0..1, higher first. */
  score: number;
  /** Why this candidate, in words (e.g. "port 1025 is the first of the Windows RPC dynamic range 1025-5000"). */
  reasons: string[];
  /** The inbound ports and ranges a defender would block for this technology, e.g. ['tcp/135', 'tcp/1025-5000']. */
  block: string[];
  sources: KnowledgeSource[];
}

export interface Vulnerability {
  /** CVE id (or a vendor id for a manual entry without one). */
  id: string;
  title: string;
  description: string;
  published: number;
  /** Base score and version of the highest CVSS metric given; null when none. */
  cvss: { score: number; version: string; vector: string | null } | null;
  /** Set when the CVE is in CISA's Known Exploited Vulnerabilities catalogue. */
  kev: { date_added: number; due_date: number | null; ransomware: boolean } | null;
  /** Affected products as 'vendor:product' (from CPE or the KEV entry), lower case. */
  products: string[];
  /** Vendor advisory ids, e.g. 'MS07-029'. */
  advisories: string[];
  references: string[];
  sources: KnowledgeSource[];
}

export interface Exploit {
  /** e.g. 'EDB-3737'. */
  id: string;
  title: string;
  published: number;
  platform: string;
  /** Exploit-DB type: remote, local, dos, webapps... */
  type: string;
  /** Target port when the entry gives one. */
  port: number | null;
  cves: string[];
  url: string | null;
  sources: KnowledgeSource[];
}

export interface RankedVulnerability {
  vulnerability: Vulnerability;
  /** 0..1, higher first. */
  score: number;
  /** Why it is linked and ranked so (product match, recency, KEV, CVSS, exploits). */
  reasons: string[];
  exploits: Exploit[];
}

export interface TimelineEntry {
  at: number;
  kind:
    | 'disclosed'
    | 'kev_added'
    | 'exploit_published'
    | 'activity_first_seen'
    | 'incident_opened'
    | 'incident_escalated';
  label: string;
  /** The id this entry is about (CVE, EDB id, incident id). */
  ref: string | null;
}

/** What Stormwatch knows about one port at a moment (usually an incident's first_seen). */
export interface Correlation {
  proto: Protocol;
  port: number;
  at: number;
  services: ServiceCandidate[];
  vulnerabilities: RankedVulnerability[];
  /** Exploits of the linked vulnerabilities, counted once each. */
  exploit_count: number;
  timeline: TimelineEntry[];
}
