/**
 * The Markdown body of an advisory, made from its structured fields only (so text and JSON never disagree).
 * Text that comes from the knowledge base (titles, descriptions) is flattened to one line and its table pipes
 * escaped; the API renders the body through the notes' sanitiser, so raw HTML in it never reaches a page.
 */
import type { AdvisoryFields } from '../../../protocol/advisory-types.js';
import { rangeText } from './block.js';
import { cell, dec, duration, int, pct, pValue } from './format.js';

const bullets = (xs: readonly string[]): string[] => xs.map((x) => `- ${cell(x)}`);
const dateOf = (isoText: string): string => isoText.slice(0, 10);

function vulnerabilities(f: AdvisoryFields): string[] {
  if (f.vulnerabilities.length === 0)
    return ['No known vulnerability is linked to this port in our knowledge base.', ''];
  const out = [
    '| Vulnerability | Title | Disclosed | CVSS | Known exploited since | Exploits |',
    '|---|---|---|---|---|---|',
  ];
  for (const v of f.vulnerabilities) {
    const exploits = v.exploits.map((x) => `${x.id} (${dateOf(x.published)})`).join(', ') || 'none known';
    out.push(
      `| ${cell(v.id)} | ${cell(v.title)} | ${dateOf(v.published)} | ${v.cvss ?? 'n/a'} | ` +
        `${v.kev_added ? dateOf(v.kev_added) : 'no'} | ${cell(exploits)} |`,
    );
  }
  out.push('', `${int(f.exploit_count)} public exploit(s) are linked to these vulnerabilities.`, '');
  return out;
}

function snippets(f: AdvisoryFields): string[] {
  if (f.recommendations.block.length === 0) return [];
  const fw = f.firewall;
  const block = (title: string, lang: string, code: string): string[] => [
    `### ${title}`,
    '',
    '```' + lang,
    code,
    '```',
    '',
  ];
  return [
    ...block('iptables', 'sh', fw.iptables),
    ...block('nftables', 'nft', fw.nftables),
    ...block('pf', 'pf', fw.pf),
    ...block('Windows Firewall (netsh)', 'bat', fw.netsh),
    ...block('Windows Firewall (PowerShell)', 'powershell', fw.powershell),
  ];
}

function evidence(f: AdvisoryFields): string[] {
  const e = f.evidence;
  const i = f.incident;
  const row = (k: string, v: string): string => `| ${k} | ${cell(v)} |`;
  const growth = e.growth
    ? `${dec(e.growth.slope_per_hour)} sources per hour` +
      (e.growth.doubling_hours !== null ? `, doubling every ${duration(e.growth.doubling_hours)}` : '')
    : 'not measured';
  return [
    '| | |',
    '|---|---|',
    row('Incident', `${i.id} (${i.status}, level ${i.level}, severity ${i.severity})`),
    row('Since', i.first_seen),
    row(
      'Test that fired',
      `${e.test} over ${e.window_buckets} × ${e.granularity} (${duration(e.window_hours)})`,
    ),
    row('p-value', `${pValue(e.p_value)} (threshold ${pValue(e.alpha)})`),
    row(
      'Sources',
      `${int(e.sources.observed)} observed, ${int(e.sources.expected)} expected ` +
        `(99% range ${int(e.sources.interval[0])}-${int(e.sources.interval[1])}), fold ${dec(e.fold)}`,
    ),
    row('Events', `${int(e.events.observed)} observed, ${int(e.events.expected)} expected`),
    row('Sensors', `${int(e.sensors.observed)} observed, ${dec(e.sensors.expected)} expected`),
    row(
      'Operators',
      `${int(e.operators)} (${dec(e.effective_operators)} effective; largest share ${pct(e.max_operator_share)})`,
    ),
    row(
      'Handshake share',
      f.confidence.handshake_share === null ? 'not reported' : pct(f.confidence.handshake_share),
    ),
    row('Growth', growth),
    row('Gates passed', e.gates_passed.join('; ') || 'none recorded'),
    row('Top countries', e.top_countries.map((c) => `${c.country} ${int(c.sources)}`).join(', ') || 'n/a'),
    '',
  ];
}

/** The whole body. */
export function advisoryMarkdown(title: string, summary: string, f: AdvisoryFields): string {
  const blocks = f.recommendations.block.map(
    (r) => `${r.proto.toUpperCase()} ${rangeText(r)}: ${r.reasons.join('; ')}`,
  );
  return [
    `# ${cell(title)}`,
    '',
    summary,
    '',
    '## What we observe',
    '',
    ...bullets(f.statements.observed),
    `- ${cell(f.confidence.words)}`,
    '',
    '## What we have not confirmed',
    '',
    ...bullets(f.statements.not_confirmed),
    '',
    ...(f.statements.timing.length ? ['## Timing', '', ...bullets(f.statements.timing), ''] : []),
    '## Linked vulnerabilities and exploits',
    '',
    ...vulnerabilities(f),
    '## Recommendations',
    '',
    ...bullets(f.recommendations.actions),
    '',
    ...(blocks.length ? ['Ranges and why:', '', ...bullets(blocks), ''] : []),
    ...snippets(f),
    '## Evidence',
    '',
    ...evidence(f),
    `_Drafted by Stormwatch from incident ${f.incident.id} as of ${f.as_of}._`,
    '',
  ].join('\n');
}
