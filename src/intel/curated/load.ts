/**
 * Loads and checks our reviewed data files (src/intel/data/) and manual entry files, turning them into the
 * domain types. A file that does not pass is refused whole with SW_INTEL_INVALID, naming the file, the entry
 * (index and id), the field and its line: shipped knowledge is either right or not loaded.
 *
 * The shipped folder is found from this module's URL, so it is right both from src/ (tsx, vitest) and from the
 * compiled dist/ (both three levels below the package root); the YAML files are not compiled, they are read
 * from src/intel/data/ of the package.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isNode, LineCounter, parseDocument } from 'yaml';
import type { Document } from 'yaml';
import type { z } from 'zod';
import { makeError } from '../../core/errors.js';
import type { Exploit, Vulnerability } from '../../protocol/intel-types.js';
import { parseTime } from '../text.js';
import { dataFileSchema, exploitSchema, familySchema, vulnerabilitySchema } from './schema.js';
import type { ExploitEntry, FamilyEntry, VulnerabilityEntry } from './schema.js';

export const SHIPPED_DATA_DIR: string = fileURLToPath(new URL('../../../src/intel/data/', import.meta.url));
const MAX_FILE_BYTES = 8 * 1_048_576;
const MAX_LISTED_ISSUES = 10;

export interface Family extends FamilyEntry {
  /** The data file it came from (for messages). */
  file: string;
}

export interface CuratedKnowledge {
  families: Family[];
  vulnerabilities: Vulnerability[];
  exploits: Exploit[];
  files: string[];
}

type Key = string | number;

function lineOf(doc: Document, lc: LineCounter, path: readonly Key[]): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node: unknown = doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) return lc.linePos(node.range[0]).line;
  }
  return undefined;
}

const fieldPath = (path: readonly PropertyKey[]): string =>
  path.reduce<string>(
    (s, k) => (typeof k === 'number' ? `${s}[${k}]` : s === '' ? String(k) : `${s}.${String(k)}`),
    '',
  );

const toTime = (s: string): number => parseTime(s) ?? Number.NaN;

export function toVulnerability(e: VulnerabilityEntry, kind: string): Vulnerability {
  return {
    id: e.id,
    title: e.title,
    description: e.description,
    published: toTime(e.published),
    cvss: e.cvss,
    kev:
      e.kev === null
        ? null
        : {
            date_added: toTime(e.kev.date_added),
            due_date: e.kev.due_date === null ? null : toTime(e.kev.due_date),
            ransomware: e.kev.ransomware,
          },
    products: e.products,
    advisories: e.advisories,
    references: e.references,
    sources: e.sources.map((ref) => ({ kind, ref })),
  };
}

export function toExploit(e: ExploitEntry, kind: string): Exploit {
  return { ...e, published: toTime(e.published), sources: e.sources.map((ref) => ({ kind, ref })) };
}

interface ParsedFile {
  families: FamilyEntry[];
  vulnerabilities: VulnerabilityEntry[];
  exploits: ExploitEntry[];
}

/**
 * Checks one data file's text; every problem is listed in the error, e.g.
 * `families.yaml: families[1] (id "microsoft-rpc"): ports[0].range: range must be [low, high] (line 12)`.
 */
export function parseDataText(text: string, name: string): ParsedFile {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true });
  if (doc.errors.length > 0)
    throw makeError('SW_INTEL_INVALID', `${name}: not valid YAML/JSON: ${doc.errors[0]?.message ?? ''}`, {
      details: { file: name },
    });
  const raw: unknown = doc.toJS();
  const top = dataFileSchema.safeParse(raw);
  if (!top.success)
    throw makeError(
      'SW_INTEL_INVALID',
      `${name}: must be an object with families, vulnerabilities and/or exploits lists (${top.error.issues[0]?.message ?? ''})`,
      { details: { file: name } },
    );
  const problems: string[] = [];
  const check = <S extends z.ZodType>(key: keyof ParsedFile, schema: S): z.infer<S>[] =>
    (top.data[key] ?? []).flatMap((entry, i) => {
      const r = schema.safeParse(entry);
      if (r.success) return [r.data];
      const id = (entry as { id?: unknown } | null)?.id;
      const label = `${key}[${i}]${typeof id === 'string' ? ` (id "${id}")` : ''}`;
      for (const issue of r.error.issues) {
        const line = lineOf(doc, lc, [key, i, ...(issue.path as Key[])]);
        const at = fieldPath(issue.path);
        problems.push(
          `${label}${at === '' ? '' : `: ${at}`}: ${issue.message}${line ? ` (line ${line})` : ''}`,
        );
      }
      return [];
    });
  const parsed = {
    families: check('families', familySchema),
    vulnerabilities: check('vulnerabilities', vulnerabilitySchema),
    exploits: check('exploits', exploitSchema),
  };
  if (problems.length > 0) {
    const more =
      problems.length > MAX_LISTED_ISSUES ? `; and ${problems.length - MAX_LISTED_ISSUES} more` : '';
    throw makeError(
      'SW_INTEL_INVALID',
      `${name}: ${problems.slice(0, MAX_LISTED_ISSUES).join('; ')}${more}`,
      {
        details: { file: name, problems },
      },
    );
  }
  return parsed;
}

function readDataFile(path: string): string {
  const st = statSync(path);
  if (!st.isFile()) throw makeError('SW_INTEL_INVALID', `${path}: not a regular file`);
  if (st.size > MAX_FILE_BYTES)
    throw makeError(
      'SW_INTEL_INVALID',
      `${path}: ${st.size} bytes, over the ${MAX_FILE_BYTES} bytes of a data file`,
    );
  return readFileSync(path, 'utf8');
}

function duplicates(ids: readonly string[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) dup.add(id);
    seen.add(id);
  }
  return [...dup];
}

/**
 * Every *.yaml / *.yml / *.json file of `dir` (the shipped data by default), checked, with ids unique across
 * the files. `kind` is the KnowledgeSource kind of the entries ('curated' for shipped data).
 */
export function loadCurated(dir: string = SHIPPED_DATA_DIR, kind = 'curated'): CuratedKnowledge {
  const files = readdirSync(dir)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort();
  const out: CuratedKnowledge = { families: [], vulnerabilities: [], exploits: [], files };
  for (const f of files) {
    const parsed = parseDataText(readDataFile(join(dir, f)), f);
    out.families.push(...parsed.families.map((e) => ({ ...e, file: f })));
    out.vulnerabilities.push(...parsed.vulnerabilities.map((e) => toVulnerability(e, kind)));
    out.exploits.push(...parsed.exploits.map((e) => toExploit(e, kind)));
  }
  for (const [what, ids] of [
    ['family', out.families.map((x) => x.id)],
    ['vulnerability', out.vulnerabilities.map((x) => x.id)],
    ['exploit', out.exploits.map((x) => x.id)],
  ] as const) {
    const dup = duplicates(ids);
    if (dup.length > 0)
      throw makeError('SW_INTEL_INVALID', `${dir}: ${what} id ${dup.join(', ')} is given more than once`, {
        details: { dir, duplicates: dup },
      });
  }
  return out;
}

/** One manual entry file (`stormwatch intel add-vuln FILE`), its entries as 'manual' knowledge. */
export function loadEntryFile(path: string, kind = 'manual'): Omit<CuratedKnowledge, 'families' | 'files'> {
  const parsed = parseDataText(readDataFile(path), basename(path));
  return {
    vulnerabilities: parsed.vulnerabilities.map((e) => toVulnerability(e, kind)),
    exploits: parsed.exploits.map((e) => toExploit(e, kind)),
  };
}
