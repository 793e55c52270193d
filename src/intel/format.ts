/**
 * A Correlation as text for a terminal (`stormwatch intel port`): services with their reasons and block rules,
 * vulnerabilities with their reasons and exploits, and the timeline. Times are UTC.
 */
import type { Correlation } from '../protocol/intel-types.js';

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const time = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

/** @example process.stdout.write(formatCorrelation(correlate({ proto: 'tcp', port: 1025, at }, kb))) */
export function formatCorrelation(c: Correlation): string {
  const lines = [`${c.proto}/${c.port} as known at ${time(c.at)}`, ''];
  lines.push(c.services.length === 0 ? 'Services: nothing known about this port.' : 'Services:');
  c.services.forEach((s, i) => {
    lines.push(
      `  ${i + 1}. ${s.name}${s.family === null ? ' (IANA registry)' : ` (${s.family})`}, score ${s.score.toFixed(2)}`,
    );
    for (const r of s.reasons) lines.push(`     - ${r}`);
    lines.push(`     block: ${s.block.join(', ')}`);
  });
  lines.push('');
  lines.push(
    c.vulnerabilities.length === 0
      ? 'Vulnerabilities: none linked.'
      : `Vulnerabilities (${c.vulnerabilities.length}, ${c.exploit_count} public exploit${c.exploit_count === 1 ? '' : 's'}):`,
  );
  c.vulnerabilities.forEach((r, i) => {
    const v = r.vulnerability;
    lines.push(`  ${i + 1}. ${v.id}, score ${r.score.toFixed(2)}: ${v.title}`);
    for (const reason of r.reasons) lines.push(`     - ${reason}`);
    if (v.advisories.length > 0) lines.push(`     advisories: ${v.advisories.join(', ')}`);
    for (const x of r.exploits)
      lines.push(
        `     exploit ${x.id} (${day(x.published)}${x.port === null ? '' : `, port ${x.port}`}): ${x.title}`,
      );
  });
  if (c.timeline.length > 0) {
    lines.push('', 'Timeline:');
    for (const e of c.timeline) lines.push(`  ${time(e.at)}  ${e.label}`);
  }
  return `${lines.join('\n')}\n`;
}
