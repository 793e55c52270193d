/**
 * Options of the generic `jsonl` and `csv` inputs: which field of a user's log holds what.
 *
 *   options:
 *     fields: { ts: timestamp, src: src_ip, port: dst_port, proto: protocol, sport: src_port, dst: dst_ip, flags: tcp_flags }
 *     time_format: iso | epoch_s | epoch_ms | epoch_us   # omitted: epoch numbers by size, text stamps otherwise
 *     default_proto: tcp                                 # when no proto field is mapped or a line has none
 *     match: { event_type: [flow, alert] }               # only lines whose fields hold one of these values
 *   csv only:
 *     delimiter: ','          # one character; '\t' for TSV
 *     header: true            # the file starts with a header row naming the columns (also Zeek's `#fields`)
 *     columns: [ts, src, ...] # the column names when there is no header row (and until the header is seen)
 *
 * Defaults (also what an entry without `options` gets, and what the contract suite's examples use):
 * - jsonl: fields ts/src/port/proto/sport/dst/flags named `ts`, `src`, `port`, `proto`, `sport`, `dst`, `flags`
 *   (Stormwatch's own event field names);
 * - csv: those fields too, header true, columns `ts,src,proto,port,sport,dst` until a header row is seen.
 * In jsonl a field name may be a dotted path into nested objects (`flow.src_ip`); a flat key holding the dots
 * (Zeek's `id.orig_h`) matches too.
 */
import { z } from 'zod';
import type { TimeFormat } from './values.js';

const fieldName = z.string().min(1).max(256);

export const fieldsSchema = z.strictObject({
  /** The time of the record. */
  ts: fieldName,
  /** The source address. */
  src: fieldName,
  /** The destination port (TCP/UDP), or the ICMP type. */
  port: fieldName,
  /** The protocol: a name (tcp, udp, icmp, any case) or an IP protocol number (6, 17, 1, 58, ...). */
  proto: fieldName.optional(),
  sport: fieldName.optional(),
  dst: fieldName.optional(),
  /** TCP flags: letters (S, SA), words (SYN,ACK) or the header byte (18, 0x12). */
  flags: fieldName.optional(),
});
export type FieldMap = z.infer<typeof fieldsSchema>;

export const DEFAULT_FIELDS: FieldMap = {
  ts: 'ts',
  src: 'src',
  port: 'port',
  proto: 'proto',
  sport: 'sport',
  dst: 'dst',
  flags: 'flags',
};
export const DEFAULT_CSV_COLUMNS = ['ts', 'src', 'proto', 'port', 'sport', 'dst'];

const common = {
  fields: fieldsSchema.default(DEFAULT_FIELDS),
  time_format: z.enum(['iso', 'epoch_s', 'epoch_ms', 'epoch_us']).optional(),
  default_proto: z.enum(['tcp', 'udp', 'icmp', 'icmp6']).default('tcp'),
  match: z
    .record(fieldName, z.union([z.string(), z.array(z.string()).min(1)]))
    .refine((m) => Object.keys(m).length <= 8, 'at most 8 match fields')
    .optional(),
};

export const jsonlOptionsSchema = z.strictObject(common);
export type JsonlOptions = z.infer<typeof jsonlOptionsSchema>;

export const csvOptionsSchema = z
  .strictObject({
    ...common,
    delimiter: z
      .string()
      .length(1, 'the delimiter is one character')
      .refine((d) => d !== '"' && d !== '\n' && d !== '\r', 'the delimiter cannot be a quote or a line break')
      .default(','),
    header: z.boolean().default(true),
    columns: z.array(fieldName).min(1).max(1024).optional(),
  })
  .superRefine((o, ctx) => {
    if (!o.header && o.columns === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['columns'],
        message: 'without a header row, columns are needed',
      });
    if (o.columns !== undefined && !o.header) {
      // The required fields, and optional ones the entry names (not the defaults, which may well be absent).
      for (const [k, name] of Object.entries(o.fields)) {
        const required = k === 'ts' || k === 'src' || k === 'port';
        const named = name !== DEFAULT_FIELDS[k as keyof FieldMap];
        if (typeof name === 'string' && (required || named) && !o.columns.includes(name))
          ctx.addIssue({
            code: 'custom',
            path: ['fields', k],
            message: `${JSON.stringify(name)} is not one of the columns`,
          });
      }
    }
  });
export type CsvOptions = z.infer<typeof csvOptionsSchema>;

/** The options every generic parser works from, defaults applied. */
export interface ResolvedOptions {
  fields: FieldMap;
  timeFormat: TimeFormat;
  defaultProto: 'tcp' | 'udp' | 'icmp' | 'icmp6';
  match: Array<{ field: string; values: Buffer[] }>;
}

export function resolveCommon(o: JsonlOptions | CsvOptions): ResolvedOptions {
  return {
    fields: o.fields,
    timeFormat: o.time_format ?? 'auto',
    defaultProto: o.default_proto,
    match: Object.entries(o.match ?? {}).map(([field, v]) => ({
      field,
      values: (Array.isArray(v) ? v : [v]).map((s) => Buffer.from(s, 'utf8')),
    })),
  };
}
