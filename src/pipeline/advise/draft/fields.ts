/**
 * The structured fields of a drafted advisory (AdvisoryFields): every number the text quotes, with times as ISO
 * text, so a channel can send JSON without parsing the Markdown.
 */
import type { AdvisoryFields, BlockRange, ChartData } from '../../../protocol/advisory-types.js';
import type { Incident } from '../../../protocol/incident-types.js';
import type { Correlation } from '../../../protocol/intel-types.js';
import { topCandidates } from './block.js';
import { firewallSnippets } from './firewall.js';
import { iso } from './format.js';

export interface FieldParts {
  incident: Incident;
  correlation: Correlation | null;
  now: number;
  confidence: string;
  statements: AdvisoryFields['statements'];
  block: BlockRange[];
  actions: string[];
  chart: ChartData;
}

export function windowHours(incident: Incident): number {
  const e = incident.evidence;
  return (e.window * (e.granularity === '1h' ? 60 : 5)) / 60;
}

export function advisoryFields(p: FieldParts): AdvisoryFields {
  const i = p.incident;
  const e = i.evidence;
  return {
    schema: 1,
    as_of: iso(p.now),
    incident: {
      id: i.id,
      proto: i.proto,
      port: i.port,
      status: i.status,
      level: i.level,
      severity: i.severity,
      first_seen: iso(i.first_seen),
      opened_at: iso(i.opened_at),
    },
    confidence: {
      label: i.confidence.label,
      operators: e.operators,
      effective_operators: e.effective_operators,
      handshake_share: e.handshake_share,
      words: p.confidence,
    },
    evidence: {
      test: e.test,
      granularity: e.granularity,
      window_buckets: e.window,
      window_hours: windowHours(i),
      p_value: e.p_value,
      alpha: e.alpha,
      sources: { observed: e.observed, expected: e.expected, interval: e.interval },
      fold: e.fold,
      events: e.events,
      sensors: { observed: e.sensors, expected: e.expected_sensors },
      operators: e.operators,
      effective_operators: e.effective_operators,
      max_operator_share: e.max_operator_share,
      growth: e.growth,
      gates_passed: e.gates.filter((g) => g.passed).map((g) => `${g.name}: ${g.detail}`),
      top_countries: e.top_countries.slice(0, 5),
    },
    statements: p.statements,
    services: topCandidates(p.correlation?.services ?? []).map((s) => ({
      name: s.name,
      description: s.description,
      score: s.score,
      reasons: s.reasons,
    })),
    vulnerabilities: (p.correlation?.vulnerabilities ?? []).map((v) => ({
      id: v.vulnerability.id,
      title: v.vulnerability.title,
      published: iso(v.vulnerability.published),
      cvss: v.vulnerability.cvss?.score ?? null,
      kev_added: v.vulnerability.kev ? iso(v.vulnerability.kev.date_added) : null,
      advisories: v.vulnerability.advisories,
      exploits: v.exploits.map((x) => ({
        id: x.id,
        title: x.title,
        published: iso(x.published),
        port: x.port,
        url: x.url,
      })),
    })),
    exploit_count: p.correlation?.exploit_count ?? 0,
    recommendations: { block: p.block, actions: p.actions },
    firewall: firewallSnippets(p.block),
    chart: p.chart,
  };
}
