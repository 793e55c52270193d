/**
 * What one import did: records new and replaced, records skipped counted by reason with the first few shown
 * (record index or CSV line, and the field), and notes on the file (e.g. a catalogue count that does not
 * match). Importers never throw on a bad record: they count it here.
 */
export type ImportKind = 'kev' | 'nvd' | 'exploitdb';

export interface SkippedSample {
  /** 0-based record index (JSON) or 1-based line (CSV), as `where` says. */
  at: number;
  where: 'record' | 'line';
  field: string;
  reason: string;
}

export interface ImportSummary {
  kind: ImportKind;
  file: string;
  bytes: number;
  /** Records read (valid or not). */
  records: number;
  /** New in the store. */
  imported: number;
  /** Replaced (merged with) a stored record. */
  updated: number;
  skipped: number;
  skipped_by_reason: Record<string, number>;
  samples: SkippedSample[];
  notes: string[];
}

/** A record that cannot be used: which field and why. */
export interface RecordProblem {
  field: string;
  reason: string;
}

export type Mapped<T> = { ok: true; value: T } | ({ ok: false } & RecordProblem);

export const SAMPLE_LIMIT = 5;

export function newSummary(kind: ImportKind, file: string, bytes: number): ImportSummary {
  return {
    kind,
    file,
    bytes,
    records: 0,
    imported: 0,
    updated: 0,
    skipped: 0,
    skipped_by_reason: {},
    samples: [],
    notes: [],
  };
}

/** Counts a skipped record under `reason: field` and keeps the first SAMPLE_LIMIT as samples. */
export function skip(s: ImportSummary, at: number, where: 'record' | 'line', p: RecordProblem): void {
  s.skipped++;
  const key = p.field === '' ? p.reason : `${p.reason}: ${p.field}`;
  s.skipped_by_reason[key] = (s.skipped_by_reason[key] ?? 0) + 1;
  if (s.samples.length < SAMPLE_LIMIT) s.samples.push({ at, where, field: p.field, reason: p.reason });
}

/** The summary as lines for a terminal. */
export function formatSummary(s: ImportSummary): string {
  const lines = [
    `${s.file} (${s.kind}): ${s.records} records, ${s.imported} imported, ${s.updated} updated, ${s.skipped} skipped`,
  ];
  for (const [reason, n] of Object.entries(s.skipped_by_reason).sort((a, b) => b[1] - a[1]))
    lines.push(`  skipped ${n}: ${reason}`);
  for (const x of s.samples)
    lines.push(`  e.g. ${x.where} ${x.at}: ${x.field === '' ? '' : `${x.field}: `}${x.reason}`);
  for (const n of s.notes) lines.push(`  note: ${n}`);
  return lines.join('\n');
}
