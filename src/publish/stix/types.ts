/**
 * The STIX 2.1 objects Stormwatch emits (OASIS STIX 2.1, sections 4-5): only the properties we set. Times are
 * STIX timestamps (RFC 3339, UTC, millisecond precision, e.g. `2024-05-01T12:02:00.000Z`). Custom properties
 * start with `x_stormwatch_` (section 11.1).
 */

export interface StixExternalReference {
  source_name: string;
  external_id?: string;
  url?: string;
  description?: string;
}

interface StixCommon {
  spec_version: '2.1';
  id: string;
  created: string;
  modified: string;
  created_by_ref?: string;
  labels?: string[];
  external_references?: StixExternalReference[];
}

export interface StixIdentity extends StixCommon {
  type: 'identity';
  name: string;
  identity_class: 'individual' | 'group' | 'system' | 'organization' | 'class' | 'unknown';
  description?: string;
  contact_information?: string;
}

export interface StixIndicator extends StixCommon {
  type: 'indicator';
  name: string;
  description: string;
  indicator_types: string[];
  pattern: string;
  pattern_type: 'stix';
  pattern_version: '2.1';
  valid_from: string;
  valid_until?: string;
  [custom: `x_stormwatch_${string}`]: unknown;
}

export interface StixVulnerability extends StixCommon {
  type: 'vulnerability';
  name: string;
  description?: string;
}

export interface StixRelationship extends StixCommon {
  type: 'relationship';
  relationship_type: string;
  source_ref: string;
  target_ref: string;
  description?: string;
}

export interface StixReport extends StixCommon {
  type: 'report';
  name: string;
  description: string;
  report_types: string[];
  published: string;
  object_refs: string[];
  [custom: `x_stormwatch_${string}`]: unknown;
}

export type StixObject = StixIdentity | StixIndicator | StixVulnerability | StixRelationship | StixReport;

export interface StixBundle {
  type: 'bundle';
  id: string;
  objects: StixObject[];
}

/** Who the objects say made them (the `identity` every object's created_by_ref points to). */
export interface StixCreator {
  name: string;
  description?: string;
  contact_information?: string;
}
