/**
 * The comment header every text format starts with: what the list is, when and from which window it was made,
 * the rules, and how to be delisted. Lines are returned without a comment marker; each format adds its own.
 *
 * Invariant: no header line contains a control character (a configured text with a line break could otherwise
 * end the comment and inject a rule into a firewall file).
 */
import type { Blocklist } from '../types.js';

const iso = (ms: number): string => new Date(ms).toISOString();

/** `text` with every control character replaced by a space. */
export function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ');
}

export function headerLines(list: Blocklist): string[] {
  const st = list.settings;
  const v4 = list.entries.filter((e) => e.family === 4).length;
  const what =
    list.kind === 'networks'
      ? `networks (IPv4 /${st.v4_prefix}, IPv6 /${st.v6_prefix}) of attacking sources`
      : 'single attacking source addresses';
  const rules = [
    `>= ${st.min_events} events`,
    `seen by >= ${st.min_sensors} sensors of >= ${st.min_operators} operators`,
    ...(list.kind === 'networks' && st.min_sources > 1 ? [`>= ${st.min_sources} sources`] : []),
  ];
  return [
    `Stormwatch blocklist: ${what}`,
    `Generated: ${iso(list.generated_at)}`,
    `Window: last ${list.window.days} day(s), ${iso(list.window.from)} to ${iso(list.window.to)} (UTC)`,
    `Listed when: ${rules.join(', ')}; each entry expires ${Math.round(st.ttl_ms / 3_600_000)} h after it was last seen`,
    `Entries: ${list.entries.length} (IPv4 ${v4}, IPv6 ${list.entries.length - v4})`,
    `Delisting: ${list.delisting}`,
  ].map(oneLine);
}

/** The header as `# ` comment lines. */
export function hashComments(list: Blocklist, extra: string[] = []): string {
  return [...headerLines(list), ...extra.map(oneLine)].map((l) => `# ${l}`).join('\n') + '\n';
}
