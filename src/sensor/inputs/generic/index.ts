/**
 * The generic inputs for any log a user has: `jsonl` (one JSON object per line) and `csv` (delimited text), with a
 * field map in the entry's `options` (options.ts documents it and the defaults). Also home of the byte-level
 * JSON scanner and value readers the honeypot inputs share.
 */
import type { InputOptions, LineInputDefinition } from '../registry.js';
import { CsvParser } from './csv.js';
import { JsonlParser } from './jsonl.js';
import { csvOptionsSchema, jsonlOptionsSchema } from './options.js';

export { CsvParser } from './csv.js';
export { JsonlParser } from './jsonl.js';
export { csvOptionsSchema, DEFAULT_CSV_COLUMNS, DEFAULT_FIELDS, jsonlOptionsSchema } from './options.js';
export type { CsvOptions, FieldMap, JsonlOptions } from './options.js';
export { GENERIC_MALFORMED_REASONS } from './record.js';
export type { GenericMalformedReason } from './record.js';

export const jsonlInput: LineInputDefinition = {
  type: 'jsonl',
  kind: 'lines',
  description:
    'Any JSON Lines log, fields mapped in options (default: ts, src, port, proto, sport, dst, flags)',
  examples: [
    '{"ts":"2024-05-17T07:05:23.517Z","src":"198.51.100.7","port":22,"proto":"tcp","sport":42830,"dst":"192.0.2.2","flags":"S"}',
    '{"ts":1717200000.25,"src":"2001:db8::7","port":53,"proto":17,"sport":5353}',
    '{"ts":"2024-05-17 07:05:24","src":"203.0.113.5","port":8,"proto":"ICMP","dst":"192.0.2.9"}',
  ],
  optionsSchema: jsonlOptionsSchema,
  createParser: (o: InputOptions) => new JsonlParser(jsonlOptionsSchema.parse(o.options ?? {}), o.timezone),
};

export const csvInput: LineInputDefinition = {
  type: 'csv',
  kind: 'lines',
  description:
    'Any CSV/TSV log (RFC 4180), columns mapped in options (default header: ts,src,proto,port,sport,dst)',
  examples: [
    '2024-05-17T07:05:23.517Z,198.51.100.7,tcp,22,42830,192.0.2.2',
    '1717200000.25,2001:db8::7,UDP,53,5353,',
    '"2024-05-17 07:05:24",203.0.113.5,6,3389,"61000",192.0.2.9',
  ],
  optionsSchema: csvOptionsSchema,
  createParser: (o: InputOptions) => new CsvParser(csvOptionsSchema.parse(o.options ?? {}), o.timezone),
};
