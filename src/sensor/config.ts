/**
 * The sensor's configuration: a YAML file (optional) and/or CLI flags, validated once with zod, then frozen.
 * Option names carry their unit. Every problem is reported together, each with its path and line
 * (config-errors.ts), as one SW_CONFIG_INVALID error. Validation does no I/O beyond reading the file itself.
 *
 * Layout of `data_dir`: sensor.key (Ed25519 private key, 0600) · identity.json ({sensor_id, server_url}) ·
 * spool/ (segments and state.json) · dead-letter/ (refused batches).
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { Document } from 'yaml';
import { z } from 'zod';
import { makeError } from '../core/errors.js';
import { MAX_WATCHED_ADDRESSES } from '../protocol/batch.js';
import { formatIssues } from './config-errors.js';
import { INPUTS } from './inputs/registry.js';
import { parseCidr } from './net/ranges.js';

const posInt = () => z.number().int().positive();

const cidr = z.string().refine(
  (s) => {
    try {
      parseCidr(s);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'not a CIDR block (e.g. 203.0.113.0/24 or 2001:db8::/48)' },
);

export const inputConfigSchema = z
  .strictObject({
    type: z.string().refine((t) => INPUTS.has(t), {
      message: `unknown input type (known: ${[...INPUTS.keys()].join(', ')})`,
    }),
    /** The file to follow (line and packet inputs); listeners and journald have none. */
    path: z.string().min(1).optional(),
    /** Where to begin in a file never read before; later runs resume where they stopped. */
    start: z.enum(['beginning', 'end']).default('end'),
    /** Zone of time stamps without one (classic syslog): the sensor host's zone, or UTC. */
    timezone: z.enum(['local', 'utc']).default('local'),
    poll_interval_ms: posInt().default(250),
    /** Options of this input type (field maps, listener ports, ...): see docs/CONFIG.md per type. */
    options: z.unknown().optional(),
  })
  .superRefine(
    (input, ctx) => {
      const def = typeof input.type === 'string' ? INPUTS.get(input.type) : undefined;
      if (def === undefined) return;
      const needsPath = def.kind === 'lines' || def.kind === 'packets';
      if (needsPath && input.path === undefined)
        ctx.addIssue({ code: 'custom', path: ['path'], message: `input type ${input.type} needs a path` });
      if (!needsPath && input.path !== undefined)
        ctx.addIssue({ code: 'custom', path: ['path'], message: `input type ${input.type} reads no file` });
      if (def.optionsSchema === undefined) {
        if (input.options !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: ['options'],
            message: `input type ${input.type} takes no options`,
          });
        return;
      }
      const r = def.optionsSchema.safeParse(input.options ?? {});
      if (!r.success)
        for (const issue of r.error.issues)
          ctx.addIssue({ code: 'custom', path: ['options', ...issue.path], message: issue.message });
      // Also when other fields of the entry are bad, so that every problem is reported at once.
    },
    { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
  )
  .transform((input) => {
    // Runs only when every check passed: the options with their defaults filled in.
    const schema = INPUTS.get(input.type)?.optionsSchema;
    return schema === undefined ? input : { ...input, options: schema.parse(input.options ?? {}) };
  });

export const sensorConfigSchema = z.strictObject({
  server_url: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }),
  data_dir: z.string().min(1),
  /** Normally read from data_dir/identity.json, written by `stormwatch sensor enroll`. */
  sensor_id: z.string().min(1).optional(),
  inputs: z.array(inputConfigSchema).min(1, 'at least one input is needed'),
  /**
   * How many addresses this sensor listens on (1 for one host, 256 for a /24 darknet): sent with every batch,
   * it weighs the sensor in the server's expectations (src/core/exposure.ts).
   */
  watched_addresses: z.number().int().min(1).max(MAX_WATCHED_ADDRESSES).default(1),
  privacy: z
    .strictObject({
      mask_ipv4_prefix: z.number().int().min(0).max(32).default(24),
      mask_ipv6_prefix: z.number().int().min(0).max(128).default(64),
      drop_targets: z.boolean().default(false),
      exclude_private_sources: z.boolean().default(true),
      own_networks: z.array(cidr).default([]),
    })
    .prefault({}),
  spool: z
    .strictObject({
      max_size_bytes: posInt().default(268_435_456),
      segment_size_bytes: posInt().min(4096).default(8_388_608),
      fsync_interval_ms: z.number().int().nonnegative().default(1000),
    })
    .refine((s) => s.max_size_bytes >= 2 * s.segment_size_bytes, {
      message: 'max_size_bytes must be at least 2 x segment_size_bytes',
    })
    .prefault({}),
  upload: z
    .strictObject({
      /** The server refuses batches above its own limit (20000 by default). */
      max_batch_events: posInt().max(20_000).default(5000),
      flush_interval_ms: posInt().default(1000),
      backoff_base_ms: posInt().default(1000),
      backoff_max_ms: posInt().default(60_000),
      timeout_ms: posInt().default(30_000),
      /** Batches sent before the first is acknowledged: hides the server's latency (a round trip plus its work). */
      max_in_flight: posInt().max(16).default(4),
    })
    .refine((u) => u.backoff_max_ms >= u.backoff_base_ms, {
      message: 'backoff_max_ms must be >= backoff_base_ms',
    })
    .prefault({}),
  /** Prometheus metrics of the sensor on a local port (off unless set), e.g. 127.0.0.1:9465. */
  metrics: z
    .strictObject({
      listen: z
        .string()
        .regex(/^(\[[0-9A-Fa-f:.]+\]|[0-9.]+|localhost):\d{1,5}$/, 'must be host:port, e.g. 127.0.0.1:9465')
        .optional(),
    })
    .prefault({}),
  /** How often the running sensor writes data_dir/status.json (read by `stormwatch sensor status`). */
  status_interval_ms: posInt().default(5000),
});

export type SensorConfig = z.infer<typeof sensorConfigSchema>;
export type InputConfig = z.infer<typeof inputConfigSchema>;

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

/** Validates a raw config object; throws SW_CONFIG_INVALID listing every problem. */
export function validateSensorConfig(
  raw: unknown,
  source: { name: string; doc?: Document; lineCounter?: LineCounter } = { name: 'config' },
): SensorConfig {
  const r = sensorConfigSchema.safeParse(raw);
  if (!r.success) {
    const lines = formatIssues(r.error.issues, { ...source, input: raw });
    throw makeError('SW_CONFIG_INVALID', `invalid sensor configuration:\n  ${lines.join('\n  ')}`, {
      details: lines,
    });
  }
  return deepFreeze(r.data);
}

interface ParsedFile {
  raw: Record<string, unknown>;
  doc: Document;
  lineCounter: LineCounter;
}

/** Reads and parses YAML; relative data_dir and input paths are taken relative to the file's folder. */
function readYaml(path: string): ParsedFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw makeError('SW_CONFIG_INVALID', `${path}: cannot read: ${(err as Error).message}`, { cause: err });
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    const lines = doc.errors.map(
      (e) => `${path}: ${e.message.split('\n')[0] ?? ''} (line ${lineCounter.linePos(e.pos[0]).line})`,
    );
    throw makeError('SW_CONFIG_INVALID', `invalid YAML:\n  ${lines.join('\n  ')}`, { details: lines });
  }
  const js: unknown = doc.toJS();
  if (js !== null && js !== undefined && (typeof js !== 'object' || Array.isArray(js))) {
    throw makeError('SW_CONFIG_INVALID', `${path}: the top level must be a mapping of options`);
  }
  const raw = (js ?? {}) as Record<string, unknown>;
  const base = dirname(resolve(path));
  const abs = (p: unknown): unknown =>
    typeof p === 'string' && p !== '' && !isAbsolute(p) ? resolve(base, p) : p;
  if ('data_dir' in raw) raw.data_dir = abs(raw.data_dir);
  if (Array.isArray(raw.inputs)) {
    for (const i of raw.inputs as unknown[])
      if (typeof i === 'object' && i !== null && 'path' in i) i.path = abs(i.path);
  }
  return { raw, doc, lineCounter };
}

/** Loads and validates a YAML config file. @example const cfg = loadSensorConfig('/etc/stormwatch/sensor.yaml') */
export function loadSensorConfig(path: string): SensorConfig {
  const { raw, doc, lineCounter } = readYaml(path);
  return validateSensorConfig(raw, { name: path, doc, lineCounter });
}

/** What `stormwatch sensor run` may pass; each flag overrides the config file's value. */
export interface SensorFlags {
  /** A YAML config file (optional). */
  config?: string;
  server?: string;
  data?: string;
  /** Log file(s) to follow; replaces the file's inputs. */
  file?: string | string[];
  /** Input type for `file` (default iptables). */
  type?: string;
  start?: 'beginning' | 'end';
  timezone?: 'local' | 'utc';
  sensorId?: string;
  /** Report private/bogon sources too (privacy.exclude_private_sources: false), e.g. for lab captures. */
  includePrivateSources?: boolean;
}

/**
 * Builds the config from CLI flags, on top of an optional config file.
 * @example sensorConfigFromFlags({ server: 'http://localhost:8080', data: './sensor-data', file: '/var/log/kern.log' })
 */
export function sensorConfigFromFlags(flags: SensorFlags): SensorConfig {
  const parsed = flags.config === undefined ? undefined : readYaml(flags.config);
  const raw: Record<string, unknown> = { ...(parsed?.raw ?? {}) };
  if (flags.server !== undefined) raw.server_url = flags.server;
  if (flags.data !== undefined) raw.data_dir = resolve(flags.data);
  if (flags.sensorId !== undefined) raw.sensor_id = flags.sensorId;
  if (flags.includePrivateSources === true) {
    const privacy = typeof raw.privacy === 'object' && raw.privacy !== null ? raw.privacy : {};
    raw.privacy = { ...privacy, exclude_private_sources: false };
  }
  if (flags.file !== undefined) {
    const files = Array.isArray(flags.file) ? flags.file : [flags.file];
    raw.inputs = files.map((p) => ({
      type: flags.type ?? 'iptables',
      path: resolve(p),
      ...(flags.start ? { start: flags.start } : {}),
      ...(flags.timezone ? { timezone: flags.timezone } : {}),
    }));
  } else if ((flags.start !== undefined || flags.timezone !== undefined) && Array.isArray(raw.inputs)) {
    raw.inputs = (raw.inputs as Array<Record<string, unknown>>).map((i) => ({
      ...i,
      ...(flags.start ? { start: flags.start } : {}),
      ...(flags.timezone ? { timezone: flags.timezone } : {}),
    }));
  }
  const name = flags.config ?? 'flags';
  return validateSensorConfig(
    raw,
    parsed ? { name, doc: parsed.doc, lineCounter: parsed.lineCounter } : { name },
  );
}
