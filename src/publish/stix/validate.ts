/**
 * Validation of STIX 2.1 bundles against the OASIS STIX 2.1 JSON schemas shipped in ./schemas (draft 2020-12,
 * see schemas/SOURCES.md), with Ajv's 2020 dialect and ajv-formats (`url-regex.json` uses format `uri`).
 *
 * What is checked:
 * - the bundle envelope: `type` is `bundle`, `id` is an identifier starting `bundle--`, `objects` a non-empty
 *   array (the envelope part of common/bundle.json; that file itself is not shipped because it refers to every
 *   STIX type, see SOURCES.md);
 * - each object against the schema of its type (identity, indicator, note, report, vulnerability,
 *   relationship: the types Stormwatch emits); an object of another type is an error, not a pass;
 * - rules the schemas cannot express (STIX 2.1 sections 3.2 and 4.7): `modified` not before `created`, an
 *   indicator's `valid_until` after its `valid_from`;
 * - unless `vocabularies: false`: open-vocabulary values (indicator_types, pattern_type, identity_class,
 *   report_types) are among the suggested values the schemas list, since Stormwatch emits only those.
 *
 * Invariants: never throws on any input (malformed input is a list of errors); the schemas are read and
 * compiled once, on first use, from files only (no network); a missing schema file is a broken installation
 * and throws then. Patterns are compiled without the `u` flag: the schemas use ECMA-262 escapes such as `\-`
 * outside classes that Unicode mode refuses.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

/** ajv-formats is CommonJS: its default import is the plugin function itself. */
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

/** The shipped schemas (resolved from the package root, so that the compiled build finds them too). */
export const SCHEMA_DIR = fileURLToPath(new URL('../../../src/publish/stix/schemas/', import.meta.url));
const BASE = 'http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/';

const TYPE_SCHEMAS: Record<string, string> = {
  identity: 'sdos/identity.json',
  indicator: 'sdos/indicator.json',
  note: 'sdos/note.json',
  report: 'sdos/report.json',
  vulnerability: 'sdos/vulnerability.json',
  relationship: 'sros/relationship.json',
};

/** [object type, property, schema file, definitions entry] of the open vocabularies checked. */
const VOCABULARIES: ReadonlyArray<readonly [string, string, string, string]> = [
  ['indicator', 'indicator_types', 'sdos/indicator.json', 'indicator-type-ov'],
  ['indicator', 'pattern_type', 'sdos/indicator.json', 'pattern-type-ov'],
  ['identity', 'identity_class', 'sdos/identity.json', 'identity-class-ov'],
  ['report', 'report_types', 'sdos/report.json', 'report-type-ov'],
];

interface Compiled {
  envelope: ValidateFunction;
  byType: Map<string, ValidateFunction>;
  vocab: Map<string, Set<string>>;
}

let compiled: Compiled | null = null;

function compile(): Compiled {
  const ajv = new Ajv2020({ strict: false, allErrors: true, unicodeRegExp: false });
  addFormats(ajv);
  const docs = new Map<string, { definitions?: Record<string, { enum?: string[] }> }>();
  for (const dir of ['common', 'sdos', 'sros']) {
    for (const file of readdirSync(join(SCHEMA_DIR, dir))
      .filter((f) => f.endsWith('.json'))
      .sort()) {
      const doc = JSON.parse(readFileSync(join(SCHEMA_DIR, dir, file), 'utf8')) as Record<string, unknown>;
      ajv.addSchema(doc);
      docs.set(`${dir}/${file}`, doc);
    }
  }
  const byType = new Map<string, ValidateFunction>();
  for (const [type, file] of Object.entries(TYPE_SCHEMAS)) {
    const v = ajv.getSchema(BASE + file);
    if (!v) throw new Error(`STIX schema ${file} is missing from ${SCHEMA_DIR}`);
    byType.set(type, v);
  }
  const vocab = new Map<string, Set<string>>();
  for (const [type, prop, file, def] of VOCABULARIES)
    vocab.set(`${type}.${prop}`, new Set(docs.get(file)?.definitions?.[def]?.enum ?? []));
  const envelope = ajv.compile({
    type: 'object',
    required: ['type', 'id', 'objects'],
    properties: {
      type: { const: 'bundle' },
      id: { allOf: [{ $ref: `${BASE}common/identifier.json` }, { pattern: '^bundle--' }] },
      objects: { type: 'array', minItems: 1 },
    },
  });
  return { envelope, byType, vocab };
}

function describe(errors: ErrorObject[] | null | undefined, where: string): string[] {
  return (errors ?? []).map((e) => `${where}${e.instancePath || '/'}: ${e.message ?? 'invalid'}`);
}

function extraRules(o: Record<string, unknown>, where: string, c: Compiled, vocabularies: boolean): string[] {
  const out: string[] = [];
  const t = (k: string): number => (typeof o[k] === 'string' ? Date.parse(o[k]) : NaN);
  if (t('modified') < t('created')) out.push(`${where}/modified: before created`);
  if (o.type === 'indicator' && t('valid_until') <= t('valid_from'))
    out.push(`${where}/valid_until: not after valid_from`);
  if (!vocabularies) return out;
  for (const [type, prop] of VOCABULARIES) {
    if (o.type !== type || o[prop] === undefined) continue;
    const allowed = c.vocab.get(`${type}.${prop}`) ?? new Set<string>();
    for (const v of [o[prop]].flat())
      if (typeof v === 'string' && !allowed.has(v))
        out.push(`${where}/${prop}: ${JSON.stringify(v)} is not in ${[...allowed].join(', ')}`);
  }
  return out;
}

export interface ValidateOptions {
  /** Check open-vocabulary values against the suggested ones (default true). */
  vocabularies?: boolean;
}

/**
 * The problems of a STIX 2.1 bundle, each as `<where>/<json pointer>: <message>`; empty when valid.
 * @example expect(validateStix(makeBundle([identity, indicator]))).toEqual([])
 */
export function validateStix(bundle: unknown, opts: ValidateOptions = {}): string[] {
  compiled ??= compile();
  const c = compiled;
  if (!c.envelope(bundle)) return describe(c.envelope.errors, 'bundle');
  const objects = (bundle as { objects: unknown[] }).objects;
  const errors: string[] = [];
  objects.forEach((obj, i) => {
    const o = (obj ?? {}) as Record<string, unknown>;
    const where = `objects[${i}]${typeof o.id === 'string' ? ` (${o.id.slice(0, 80)})` : ''}`;
    const validate = typeof o.type === 'string' ? c.byType.get(o.type) : undefined;
    if (!validate) {
      errors.push(
        `${where}/type: ${JSON.stringify(o.type)} has no schema here (${Object.keys(TYPE_SCHEMAS).join(', ')})`,
      );
      return;
    }
    if (!validate(obj)) errors.push(...describe(validate.errors, where));
    errors.push(...extraRules(o, where, c, opts.vocabularies ?? true));
  });
  return errors;
}
