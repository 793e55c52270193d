/**
 * What Stormwatch knows about one port at one moment: the ranked service candidates (services.ts), the ranked
 * vulnerabilities of their products with their exploits (vulns.ts) and a timeline (timeline.ts).
 *
 * A port nobody knows gives an empty but valid Correlation (no candidates, no vulnerabilities). Reads only:
 * the knowledge base is not changed.
 */
import { makeError } from '../../core/errors.js';
import { isProtocol } from '../../core/event.js';
import type { Protocol } from '../../core/event.js';
import type { Correlation } from '../../protocol/intel-types.js';
import type { KnowledgeBase } from '../kb.js';
import { rankServices } from './services.js';
import { buildTimeline } from './timeline.js';
import { rankVulnerabilities } from './vulns.js';

export interface CorrelationInput {
  proto: Protocol;
  port: number;
  /** The moment to judge from, usually the incident's first_seen (ms). */
  at: number;
  /** Our first activity on the port (ms). */
  firstSeen?: number | null;
  incident?: { id: string; opened_at: number; escalated_at?: number | null } | null;
}

export interface CorrelateOptions {
  /** Default 20. */
  maxVulnerabilities?: number;
  /** Vulnerabilities whose events go into the timeline; default 5. */
  timelineVulnerabilities?: number;
}

/**
 * @example correlate({ proto: 'tcp', port: 1025, at: Date.parse('2007-04-16') }, kb).services[0]?.family
 *   // 'microsoft-rpc'
 */
export function correlate(input: CorrelationInput, kb: KnowledgeBase, o: CorrelateOptions = {}): Correlation {
  if (!isProtocol(input.proto)) throw makeError('SW_BAD_REQUEST', `unknown protocol ${String(input.proto)}`);
  if (!Number.isInteger(input.port) || input.port < 0 || input.port > 65535)
    throw makeError('SW_BAD_REQUEST', `port must be 0-65535, not ${input.port}`);
  if (!Number.isFinite(input.at))
    throw makeError('SW_BAD_REQUEST', 'the time of the correlation is not a time');
  const ranked = rankServices(input.proto, input.port, kb.families, kb.registry);
  const vulnerabilities = rankVulnerabilities(ranked, kb.store, {
    at: input.at,
    ...(o.maxVulnerabilities !== undefined ? { maxVulnerabilities: o.maxVulnerabilities } : {}),
  });
  const exploits = new Set(vulnerabilities.flatMap((r) => r.exploits.map((x) => x.id)));
  return {
    proto: input.proto,
    port: input.port,
    at: input.at,
    services: ranked.map((r) => r.candidate),
    vulnerabilities,
    exploit_count: exploits.size,
    timeline: buildTimeline(input, vulnerabilities, o.timelineVulnerabilities ?? 5),
  };
}
