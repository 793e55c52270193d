/**
 * draftAdvisory: an incident, what is known about its port (a Correlation), its hourly series and baseline band
 * → the first version of an advisory (title, summary, Markdown body, structured fields).
 *
 * Pure and deterministic: no clock (`now` is given), no I/O, no randomness; the same input gives the same bytes.
 * The wording follows the hedging rules of hedging.ts.
 */
import type { AdvisoryContent, BlockRange } from '../../../protocol/advisory-types.js';
import type { Incident } from '../../../protocol/incident-types.js';
import type { Correlation } from '../../../protocol/intel-types.js';
import type { PortBucketRow } from '../../../store/store.js';
import type { BaselinePoint } from './baseline-band.js';
import { planBlocks, rangeText, topCandidates } from './block.js';
import { chartData } from './chart-data.js';
import { advisoryFields } from './fields.js';
import { dec, int, key, minute } from './format.js';
import {
  confidenceWords,
  notConfirmedStatements,
  observedStatements,
  relation,
  timingStatements,
} from './hedging.js';
import { advisoryMarkdown } from './markdown.js';

export interface DraftInput {
  incident: Incident;
  /** What the knowledge base links to the port; null when nothing is known. */
  correlation: Correlation | null;
  /** Hourly rows of the port over the chart's window. */
  series: readonly PortBucketRow[];
  /** The baseline band over the same hours (baseline-band.ts). */
  baseline: readonly BaselinePoint[];
  now: number;
}

const HEADLINE: Record<Incident['evidence']['test'], string> = {
  spike: 'Surge of scanning',
  cusum: 'Sustained rise in scanning',
  new_port: 'New scanning activity',
};

function title(incident: Incident, correlation: Correlation | null): string {
  const top = topCandidates(correlation?.services ?? [])[0];
  const base = `${HEADLINE[incident.evidence.test]} on ${key(incident.proto, incident.port)}`;
  if (!top) return base;
  // Curated candidates describe themselves as "<family name>: <what it is>"; the title takes the name only.
  const name = top.description.split(': ')[0]?.trim().slice(0, 120) ?? '';
  if (name === '') return base;
  return name.includes('(') ? `${base}: ${name}` : `${base} (${name})`;
}

function blockAction(r: BlockRange): string {
  const where = r.reasons.filter((w) => w !== 'the attacked port').join('; ');
  return (
    `Block new inbound ${r.proto.toUpperCase()} ${rangeText(r)} from untrusted networks` +
    (where ? ` where it is not needed: ${where}.` : ' where it is not needed.')
  );
}

function actions(input: DraftInput, block: readonly BlockRange[]): string[] {
  const out = block.map(blockAction);
  for (const v of input.correlation?.vulnerabilities ?? []) {
    const fixes = v.vulnerability.advisories.length ? ` (${v.vulnerability.advisories.join(', ')})` : '';
    if (v.vulnerability.kev)
      out.push(`Patch ${v.vulnerability.id}${fixes} first: it is listed as known exploited.`);
    else if (fixes) out.push(`Apply the vendor fix for ${v.vulnerability.id}${fixes}.`);
  }
  out.push(
    `Review the logs of exposed hosts for accepted connections on ${key(input.incident.proto, input.incident.port)} ` +
      `since ${minute(input.incident.first_seen)}.`,
  );
  return out;
}

function summary(input: DraftInput, block: readonly BlockRange[]): string {
  const { incident, correlation } = input;
  const e = incident.evidence;
  const parts = [
    `Since ${minute(incident.first_seen)}, sensors of ${int(e.operators)} operators observe ${dec(e.fold)} times the usual ` +
      `number of sources scanning ${key(incident.proto, incident.port)} (${int(e.observed)} against about ${int(e.expected)} expected).`,
  ];
  const v = correlation?.vulnerabilities[0]?.vulnerability;
  parts.push(
    v
      ? `We have not confirmed that this activity exploits ${v.id}; ${relation('its disclosure', v.published, incident.first_seen)}.`
      : 'We have not linked it to a known vulnerability.',
  );
  const widest = [...block].sort((a, b) => b.to - b.from - (a.to - a.from))[0];
  if (widest) parts.push(blockAction(widest));
  return parts.join(' ');
}

/**
 * @example const content = draftAdvisory({ incident, correlation, series, baseline, now: clock.now() })
 */
export function draftAdvisory(input: DraftInput): AdvisoryContent {
  const { incident, correlation, now } = input;
  const plan = planBlocks(incident.proto, incident.port, correlation);
  const fields = advisoryFields({
    incident,
    correlation,
    now,
    confidence: confidenceWords(incident),
    statements: {
      observed: observedStatements(incident, now),
      not_confirmed: notConfirmedStatements(incident, correlation),
      timing: timingStatements(incident, correlation),
    },
    block: plan.ranges,
    actions: actions(input, plan.ranges),
    chart: chartData(incident, input.series, input.baseline),
  });
  const t = title(incident, correlation);
  const s = summary(input, plan.ranges);
  return { title: t, summary: s, body_md: advisoryMarkdown(t, s, fields), fields };
}
