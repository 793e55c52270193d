/**
 * The publish section of the server configuration: `channels`, `routes` and `dispatch` (docs/CHANNELS.md).
 *
 * Invariants (as in src/api/config.ts):
 * - Unknown keys are errors; every problem is reported together, each named by its path
 *   (`channels.2.url: ...`, `routes.0.channels.1: unknown channel "x"`), in one SW_CONFIG_INVALID error.
 * - Channel names and route names are unique; a route names only channels that exist.
 * - Secrets may be given inline or as `secret_env` / `auth.pass_env` (an environment variable name);
 *   resolvePublishSecrets reads them once at start, and a missing variable is a config error at that path.
 * - `{}` is complete: no channels, no routes, default dispatch settings.
 */
import { z } from 'zod';
import { makeError } from '../core/errors.js';
import { channelName } from './channels/config-base.js';
import { channelConfigSchema } from './channels/registry.js';
import type { ChannelConfig } from './channels/registry.js';
import { LEVELS, MESSAGE_KINDS } from './channels/types.js';

const portKey = z
  .string()
  .regex(/^(tcp|udp|icmp|icmp6)\/\d{1,5}$/, "'<proto>/<port>', e.g. 'tcp/1025'")
  .refine((s) => !/^\w+\/\d+$/.test(s) || Number(s.split('/')[1]) <= 65535, 'port above 65535');

export const routeSchema = z.strictObject({
  name: channelName,
  match: z
    .strictObject({
      kinds: z.array(z.enum(MESSAGE_KINDS)).min(1).optional(),
      min_level: z.enum(LEVELS).optional(),
      ports: z.array(portKey).min(1).max(1000).optional(),
    })
    .optional(),
  channels: z.array(channelName).min(1).max(50),
});

export const dispatchConfigSchema = z
  .strictObject({
    max_attempts: z.number().int().min(1).max(100).default(10),
    backoff_base_ms: z.number().int().min(100).default(30_000),
    backoff_max_ms: z.number().int().min(100).default(3_600_000),
    poll_interval_ms: z.number().int().min(50).max(3_600_000).default(5_000),
    batch_size: z.number().int().min(1).max(1000).default(20),
    delivery_timeout_ms: z.number().int().min(100).max(3_600_000).default(60_000),
    max_message_bytes: z.number().int().min(1024).max(16_777_216).default(1_048_576),
  })
  .refine((d) => d.backoff_max_ms >= d.backoff_base_ms, {
    path: ['backoff_max_ms'],
    message: 'must be at least backoff_base_ms',
  });

/** The keys to merge into the server schema (with `.superRefine(refinePublishConfig)` on the whole). */
export const publishConfigShape = {
  channels: z.array(channelConfigSchema).max(100).default([]),
  routes: z.array(routeSchema).max(200).default([]),
  dispatch: dispatchConfigSchema.prefault({}),
};

/** Cross-field rules: unique names, routes naming existing channels. */
export function refinePublishConfig(
  v: {
    channels: ReadonlyArray<{ name: string }>;
    routes: ReadonlyArray<{ name: string; channels: readonly string[] }>;
  },
  ctx: z.RefinementCtx,
): void {
  const names = new Set<string>();
  v.channels.forEach((c, i) => {
    if (names.has(c.name))
      ctx.addIssue({
        code: 'custom',
        path: ['channels', i, 'name'],
        message: `duplicate channel name "${c.name}"`,
      });
    names.add(c.name);
  });
  const routes = new Set<string>();
  v.routes.forEach((r, i) => {
    if (routes.has(r.name))
      ctx.addIssue({
        code: 'custom',
        path: ['routes', i, 'name'],
        message: `duplicate route name "${r.name}"`,
      });
    routes.add(r.name);
    r.channels.forEach((c, j) => {
      if (!names.has(c))
        ctx.addIssue({
          code: 'custom',
          path: ['routes', i, 'channels', j],
          message: `unknown channel "${c}"`,
        });
    });
  });
}

export const publishConfigSchema = z.strictObject(publishConfigShape).superRefine(refinePublishConfig);
export type PublishConfig = z.infer<typeof publishConfigSchema>;

/** Fills `secret` / `auth.pass` from the environment; returns the problems, each named by its path. */
export function resolvePublishSecrets(
  channels: readonly ChannelConfig[],
  env: Readonly<Record<string, string | undefined>>,
): { channels: ChannelConfig[]; problems: string[] } {
  const problems: string[] = [];
  const read = (name: string, path: string): string | undefined => {
    const v = env[name];
    if (v === undefined || v === '') problems.push(`${path}: environment variable ${name} is not set`);
    return v || undefined;
  };
  const out = channels.map((c, i): ChannelConfig => {
    if (c.type === 'webhook' && c.secret_env !== undefined) {
      const secret = read(c.secret_env, `channels.${i}.secret_env`);
      if (secret !== undefined && secret.length < 16)
        problems.push(`channels.${i}.secret_env: ${c.secret_env} holds fewer than 16 characters`);
      return { ...c, secret };
    }
    if (c.type === 'email' && c.auth?.pass_env !== undefined) {
      return { ...c, auth: { ...c.auth, pass: read(c.auth.pass_env, `channels.${i}.auth.pass_env`) } };
    }
    return c;
  });
  return { channels: out, problems };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * Validates the publish section, fills defaults and secrets; throws SW_CONFIG_INVALID naming every problem.
 * @example const pub = resolvePublishConfig(yamlDoc, process.env)
 */
export function resolvePublishConfig(
  input: unknown = {},
  env: Readonly<Record<string, string | undefined>> = process.env,
  source = 'publish configuration',
): Readonly<PublishConfig> {
  const r = publishConfigSchema.safeParse(input ?? {});
  let problems: string[] = [];
  if (!r.success) {
    problems = r.error.issues.map((i) => {
      const path = i.path.map(String).join('.') || '(root)';
      const keys = i.code === 'unrecognized_keys' ? ` (${i.keys.join(', ')})` : '';
      return `${path}: ${i.message}${keys}`;
    });
  } else {
    const s = resolvePublishSecrets(r.data.channels, env);
    problems = s.problems;
    if (problems.length === 0) return deepFreeze({ ...r.data, channels: s.channels });
  }
  throw makeError('SW_CONFIG_INVALID', `${source}: ${problems.join('; ')}`, { details: problems });
}
