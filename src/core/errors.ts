/**
 * Typed errors with stable codes. Every error the system raises on purpose is a StormwatchError made by
 * `makeError(code, ...)`; the API maps it to `{ code, message, details? }` with the code's HTTP status.
 * The list of codes is documented in docs/ERRORS.md; a test fails when the two drift apart.
 */
export const ERROR_CODES = {
  SW_CONFIG_INVALID: { status: 500, message: 'invalid configuration' },
  SW_AUTH_MISSING: { status: 401, message: 'request is not signed' },
  SW_AUTH_BAD_SIGNATURE: { status: 401, message: 'signature does not verify' },
  SW_AUTH_UNKNOWN_SENSOR: { status: 401, message: 'unknown or revoked sensor' },
  SW_AUTH_CLOCK_SKEW: { status: 401, message: 'request time outside the allowed window' },
  SW_AUTH_REPLAY: { status: 401, message: 'nonce already used (replayed request)' },
  SW_AUTH_ADMIN: { status: 401, message: 'admin token missing or wrong' },
  SW_ENROLL_TOKEN: { status: 401, message: 'enrolment token unknown, used or expired' },
  SW_BODY_TOO_LARGE: { status: 413, message: 'request body too large' },
  SW_DECOMPRESSED_TOO_LARGE: { status: 413, message: 'decompressed body too large' },
  SW_TOO_MANY_EVENTS: { status: 413, message: 'too many events in one batch' },
  SW_BAD_ENCODING: { status: 400, message: 'body is not valid gzip or JSON' },
  SW_BATCH_INVALID: { status: 400, message: 'batch refused: invalid events' },
  SW_BAD_REQUEST: { status: 400, message: 'bad request' },
  SW_NOT_FOUND: { status: 404, message: 'not found' },
  SW_RATE_LIMITED: { status: 429, message: 'too many requests' },
  SW_UNAVAILABLE: { status: 503, message: 'service not ready' },
  SW_SPOOL_CORRUPT: { status: 500, message: 'spool record corrupt' },
  SW_INPUT_INVALID: { status: 500, message: 'input file is not of its format' },
  SW_UPLOAD_REFUSED: { status: 500, message: 'server refused the batch' },
  SW_INTEL_INVALID: { status: 400, message: 'intelligence file refused' },
  SW_CONFLICT: { status: 409, message: 'the change conflicts with the current state' },
  SW_TARGET_REFUSED: { status: 400, message: 'delivery target refused' },
  SW_DELIVERY_FAILED: { status: 502, message: 'delivery to a channel failed' },
  SW_INTERNAL: { status: 500, message: 'internal error' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export class StormwatchError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: unknown;

  constructor(code: ErrorCode, message?: string, options?: { cause?: unknown; details?: unknown }) {
    const def = ERROR_CODES[code];
    super(message ?? def.message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StormwatchError';
    this.code = code;
    this.status = def.status;
    this.details = options?.details;
  }
}

/** @example throw makeError('SW_BODY_TOO_LARGE', `body is ${n} bytes, limit ${max}`) */
export function makeError(
  code: ErrorCode,
  message?: string,
  options?: { cause?: unknown; details?: unknown },
): StormwatchError {
  return new StormwatchError(code, message, options);
}

export function isStormwatchError(err: unknown): err is StormwatchError {
  return err instanceof StormwatchError;
}
