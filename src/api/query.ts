/**
 * Query-string and path-parameter validation with zod; any problem → 400 SW_BAD_REQUEST naming the parameter.
 * Unknown query parameters are refused too, so a misspelt parameter never silently means its default.
 */
import { z } from 'zod';
import { makeError } from '../core/errors.js';

/**
 * Parses `value` with `schema` or throws SW_BAD_REQUEST ("<param>: <reason>; ...").
 * @example const q = parseParams(z.strictObject({ window: z.enum(['1h', '24h']) }), request.query)
 */
export function parseParams<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const r = schema.safeParse(value ?? {});
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => {
    const name = i.code === 'unrecognized_keys' ? i.keys.join(', ') : i.path.map(String).join('.') || 'query';
    return `${name}: ${i.code === 'unrecognized_keys' ? 'unknown parameter' : i.message}`;
  });
  throw makeError('SW_BAD_REQUEST', problems.join('; '), { details: problems });
}

const MIN_TIME = 0;
const MAX_TIME = Date.UTC(9999, 11, 31);

/** An ISO 8601 date-time (with zone, e.g. `2007-04-15T07:00:00Z`) → ms since the epoch. */
export const isoTime = z
  .string()
  .max(40)
  .regex(
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/,
    'expected an ISO 8601 date-time with zone',
  )
  .transform((s, ctx) => {
    const t = Date.parse(s);
    if (!Number.isFinite(t) || t < MIN_TIME || t > MAX_TIME) {
      ctx.addIssue({ code: 'custom', message: 'not a valid date-time after 1970' });
      return z.NEVER;
    }
    return t;
  });

/** A decimal integer string in [min, max] → number. */
export const intText = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,10}$/, 'expected a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

export const iso = (ms: number): string => new Date(ms).toISOString();
