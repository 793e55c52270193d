/**
 * Sensor enrolment: one-time tokens (made by an admin or the CLI) exchanged for a pseudonymous sensor id.
 *
 * Invariants:
 * - Tokens are 256-bit random strings, shown once; the store keeps only their SHA-256, so a leaked database
 *   does not leak usable tokens. A token is consumed atomically (store.consumeEnrollmentToken): single use.
 * - The public key is checked (Ed25519, parseable) BEFORE the token is consumed, so a typo does not burn it.
 * - Sensor ids are `s_` + 12 random base32 characters (60 bits): they say nothing about who runs the sensor.
 *   The store also gives each sensor a separate public id (`ps_`), the only one the public API shows.
 * - A token names an operator by its internal id: chosen by id (it must exist), or by name, the operator being
 *   created on the first use of a new name (store.ensureOperator). The sensor enrolled with the token belongs
 *   to that operator: SensorRecord.operator is the operator's internal id, never its name.
 */
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { makeError } from '../core/errors.js';
import type { EnrollResponse } from '../protocol/api-types.js';
import { loadPublicKey } from '../protocol/signing.js';
import type { OperatorRecord, Store } from '../store/store.js';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
export const SENSOR_ID_PATTERN = /^s_[a-z2-7]{12}$/;
const LABEL = /^[\p{L}\p{N} ._@:-]{1,64}$/u;

export const enrollRequestSchema = z.strictObject({
  token: z.string().min(16).max(128),
  public_key: z.string().min(1).max(4096),
  name: z.string().regex(LABEL, 'name: 1-64 letters, digits, spaces or ._@:-').optional(),
});

export const operatorSchema = z.string().regex(LABEL, 'operator: 1-64 letters, digits, spaces or ._@:-');

/** SHA-256 hex of a token: what the store keeps. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A fresh pseudonymous sensor id: `s_` + 12 base32 characters. */
export function newSensorId(): string {
  // 256 is a multiple of 32, so `byte & 31` is uniform.
  return `s_${[...randomBytes(12)].map((b) => BASE32[b & 31]).join('')}`;
}

export interface TokenOptions {
  /** The operator by display name (created when new) ... */
  operator?: string;
  /** ... or by internal id (must exist). Exactly one of the two. */
  operatorId?: string;
  ttlMs: number;
  /** Real time: token expiry, and the creation time of a new operator. */
  now: number;
}

export interface CreatedToken {
  /** The token, shown once. */
  token: string;
  operator: OperatorRecord;
  /** True when this call created the operator. */
  operatorCreated: boolean;
}

/**
 * Creates a one-time enrolment token valid for `ttlMs` from `now` for an operator named or chosen by id.
 * Used by the admin API and by `stormwatch admin token --data DIR` directly on the SQLite store.
 * Throws SW_BAD_REQUEST (bad name or ttl, both or neither of name and id) or SW_NOT_FOUND (unknown id).
 * @example const { token } = createEnrollmentToken(store, { operator: 'acme', ttlMs: 86_400_000, now: Date.now() })
 */
export function createEnrollmentToken(
  store: Pick<Store, 'createEnrollmentToken' | 'ensureOperator' | 'getOperator'>,
  opts: TokenOptions,
): CreatedToken {
  if (!Number.isInteger(opts.ttlMs) || opts.ttlMs <= 0)
    throw makeError('SW_BAD_REQUEST', 'ttl must be a positive whole number of ms');
  if ((opts.operator === undefined) === (opts.operatorId === undefined))
    throw makeError('SW_BAD_REQUEST', 'name the operator either by name or by id');
  let operator: OperatorRecord;
  let operatorCreated = false;
  if (opts.operatorId !== undefined) {
    const found = store.getOperator(opts.operatorId);
    if (!found) throw makeError('SW_NOT_FOUND', `no operator ${opts.operatorId}`);
    operator = found;
  } else {
    const name = operatorSchema.safeParse(opts.operator);
    if (!name.success) throw makeError('SW_BAD_REQUEST', name.error.issues[0]?.message ?? 'bad operator');
    ({ operator, created: operatorCreated } = store.ensureOperator(name.data, opts.now));
  }
  const token = `swe_${randomBytes(32).toString('base64url')}`;
  store.createEnrollmentToken(hashToken(token), opts.now + opts.ttlMs, operator.id);
  return { token, operator, operatorCreated };
}

export interface EnrollOptions {
  /** Real time, for token expiry. */
  now: number;
  /** Time recorded as the sensor's creation (the event clock). */
  createdAt: number;
}

/**
 * Validates an EnrollRequest body, consumes its token and adds the sensor.
 * Throws SW_BAD_REQUEST (body or key) or SW_ENROLL_TOKEN (unknown, used or expired token).
 */
export function enrollSensor(
  store: Pick<Store, 'consumeEnrollmentToken' | 'addSensor' | 'getSensor'>,
  body: unknown,
  opts: EnrollOptions,
): EnrollResponse {
  const req = enrollRequestSchema.safeParse(body);
  if (!req.success) {
    const issue = req.error.issues[0];
    throw makeError(
      'SW_BAD_REQUEST',
      `enrolment request: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim(),
    );
  }
  let pem: string;
  try {
    pem = loadPublicKey(req.data.public_key).export({ type: 'spki', format: 'pem' }).toString();
  } catch (err) {
    throw makeError('SW_BAD_REQUEST', `public_key: ${(err as Error).message}`, { cause: err });
  }
  const operator = store.consumeEnrollmentToken(hashToken(req.data.token), opts.now);
  if (operator === null) throw makeError('SW_ENROLL_TOKEN');

  let id = newSensorId();
  while (store.getSensor(id)) id = newSensorId();
  store.addSensor({
    id,
    name: req.data.name ?? id,
    operator,
    public_key_pem: pem,
    created_at: opts.createdAt,
  });
  return { sensor_id: id };
}
