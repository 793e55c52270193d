/**
 * A minimal writer of the Prometheus text exposition format, version 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/).
 *
 * Invariants: each family is written once, `# HELP` then `# TYPE` then its samples; HELP text escapes `\` and
 * newline, label values escape `\`, `"` and newline; values are finite numbers or +Inf/-Inf/NaN as the format
 * spells them; the text ends with a newline.
 */

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type MetricType = 'counter' | 'gauge';

export interface Sample {
  labels?: Readonly<Record<string, string>>;
  value: number;
}

export interface MetricFamily {
  /** With its unit and, for counters, `_total` (e.g. `stormwatch_store_size_bytes`). */
  name: string;
  help: string;
  type: MetricType;
  samples: readonly Sample[];
}

const escapeHelp = (s: string): string => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
const escapeLabel = (s: string): string =>
  s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function formatSample(name: string, s: Sample): string {
  const labels = Object.entries(s.labels ?? {});
  const set = labels.length === 0 ? '' : `{${labels.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
  return `${name}${set} ${formatValue(s.value)}`;
}

/**
 * @example exposition([{ name: 'x_total', help: 'Xs.', type: 'counter', samples: [{ value: 1 }] }]) // "# HELP x_total Xs.\n..."
 */
export function exposition(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const f of families) {
    lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) lines.push(formatSample(f.name, s));
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
