/**
 * A published advisory as STIX 2.1: a `report` (the advisory's text) that refers to an `indicator` of the
 * attacked port, a `vulnerability` per CVE, and `related-to` relationships from the indicator to each
 * vulnerability (the activity may be attempts to exploit it). Custom properties carry what STIX has no
 * property for: the exploit count and the ports to block.
 *
 * Invariants: the same input gives the same objects (ids from content, times from the input); an input that
 * the STIX schemas would refuse (a malformed CVE id, a port out of range, empty title) throws
 * SW_BAD_REQUEST naming the field, so a bad advisory never becomes a half-valid bundle.
 */
import type { Protocol } from '../../core/event.js';
import { makeError } from '../../core/errors.js';
import { stixId } from './ids.js';
import { CVE_PATTERN, makeRelationship, makeVulnerability, patternString, stixTime } from './objects.js';
import type { StixIdentity, StixIndicator, StixObject, StixReport } from './types.js';

/** What an advisory contributes to STIX (src/pipeline/advise makes advisories; the API lists published ones). */
export interface StixAdvisoryInput {
  /** The advisory's stable id, e.g. `adv_20240501_tcp1025`. */
  id: string;
  title: string;
  summary: string;
  /** When it was published, and last changed (ms). */
  published: number;
  updated?: number;
  proto: Protocol;
  port: number;
  /** CVE ids, e.g. `CVE-2007-1748`. */
  cves: string[];
  exploit_count: number;
  /** Inbound ports and ranges to block, e.g. `['tcp/135', 'tcp/1025-5000']`. */
  block: string[];
  /** Where the advisory can be read, if anywhere. */
  url?: string;
}

const BLOCK_PATTERN = /^(tcp|udp|icmp|icmp6|other)\/\d{1,5}(-\d{1,5})?$/;

function check(a: StixAdvisoryInput): void {
  const bad = (field: string, why: string): never => {
    throw makeError('SW_BAD_REQUEST', `advisory ${a.id}: ${field}: ${why}`);
  };
  if (!/^[\w.:-]{1,128}$/.test(a.id)) bad('id', 'expected 1-128 letters, digits, _ . : -');
  if (a.title.trim() === '') bad('title', 'empty');
  if (!Number.isFinite(a.published) || a.published < 0) bad('published', 'not a time');
  if (a.updated !== undefined && !(a.updated >= a.published)) bad('updated', 'before published');
  if (!Number.isInteger(a.port) || a.port < 0 || a.port > 65535) bad('port', 'expected 0-65535');
  if (!Number.isInteger(a.exploit_count) || a.exploit_count < 0) bad('exploit_count', 'expected >= 0');
  for (const cve of a.cves) if (!CVE_PATTERN.test(cve)) bad('cves', `${JSON.stringify(cve)} is not a CVE id`);
  for (const b of a.block)
    if (!BLOCK_PATTERN.test(b)) bad('block', `${JSON.stringify(b)} is not proto/port[-port]`);
  if (a.url !== undefined && !URL.canParse(a.url)) bad('url', 'not an absolute URL');
}

/** The STIX pattern of traffic to the advisory's key, or null for `other` (no STIX name for IP protocols). */
export function portPattern(proto: Protocol, port: number): string | null {
  if (proto === 'tcp' || proto === 'udp')
    return `[network-traffic:dst_port = ${port} AND network-traffic:protocols[*] = ${patternString(proto)}]`;
  if (proto === 'icmp' || proto === 'icmp6') {
    const hex = port.toString(16).padStart(2, '0');
    return `[network-traffic:protocols[*] = ${patternString(proto === 'icmp' ? 'icmp' : 'ipv6-icmp')} AND network-traffic:extensions.'icmp-ext'.icmp_type_hex = ${patternString(hex)}]`;
  }
  return null;
}

function description(a: StixAdvisoryInput): string {
  const lines = [a.summary.trim(), '', `Activity: ${a.proto}/${a.port}.`];
  if (a.cves.length > 0) lines.push(`Vulnerabilities: ${a.cves.join(', ')}.`);
  lines.push(`Public exploits known: ${a.exploit_count}.`);
  if (a.block.length > 0) lines.push(`Block inbound: ${a.block.join(', ')}.`);
  return lines.join('\n');
}

/**
 * The advisory's STIX objects (report first), all created by `creator`.
 * @example makeBundle([identity, ...advisoryObjects(input, identity)])
 */
export function advisoryObjects(a: StixAdvisoryInput, creator: StixIdentity): StixObject[] {
  check(a);
  const at = a.published;
  const modified = stixTime(a.updated ?? a.published);
  const out: StixObject[] = [];
  const pattern = portPattern(a.proto, a.port);
  let indicator: StixIndicator | null = null;
  if (pattern !== null) {
    indicator = {
      type: 'indicator',
      spec_version: '2.1',
      id: stixId('indicator', `advisory|${a.id}|${pattern}`),
      created_by_ref: creator.id,
      created: stixTime(at),
      modified,
      name: `Attack activity on ${a.proto}/${a.port}`,
      description: a.title,
      indicator_types: ['anomalous-activity'],
      pattern,
      pattern_type: 'stix',
      pattern_version: '2.1',
      valid_from: stixTime(at),
    };
    out.push(indicator);
  }
  for (const cve of [...new Set(a.cves)]) {
    const v = makeVulnerability(cve, creator);
    out.push(v);
    if (indicator)
      out.push(
        makeRelationship(
          indicator.id,
          'related-to',
          v.id,
          creator,
          at,
          'The activity may be exploitation of it.',
        ),
      );
  }
  const report: StixReport = {
    type: 'report',
    spec_version: '2.1',
    id: stixId('report', `advisory|${a.id}`),
    created_by_ref: creator.id,
    created: stixTime(at),
    modified,
    name: a.title,
    description: description(a),
    report_types: ['threat-report'],
    published: stixTime(at),
    object_refs: out.length > 0 ? out.map((o) => o.id) : [creator.id],
    x_stormwatch_advisory_id: a.id,
    x_stormwatch_key: `${a.proto}/${a.port}`,
    x_stormwatch_exploit_count: a.exploit_count,
  };
  if (a.block.length > 0) report.x_stormwatch_block = [...a.block];
  if (a.url) report.external_references = [{ source_name: 'stormwatch', url: a.url }];
  return [report, ...out];
}
