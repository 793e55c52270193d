/**
 * Maps every error to the JSON body `{ code, message, details? }` with the status of its code.
 *
 * Invariants:
 * - The HTTP status always equals ERROR_CODES[code].status: a client can rely on either.
 * - StormwatchErrors keep their code, message and details; Fastify's own 4xx errors become SW_BAD_REQUEST
 *   (413 → SW_BODY_TOO_LARGE, 404 → SW_NOT_FOUND); anything else is SW_INTERNAL with a generic message
 *   (the cause is logged, never sent).
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { ERROR_CODES, isStormwatchError, makeError } from '../core/errors.js';
import type { StormwatchError } from '../core/errors.js';
import type { ErrorBody } from '../protocol/api-types.js';

/** The StormwatchError an arbitrary thrown value stands for. */
export function toStormwatchError(err: unknown): StormwatchError {
  if (isStormwatchError(err)) return err;
  const status = (err as Partial<FastifyError> | null)?.statusCode;
  const message = err instanceof Error ? err.message : 'bad request';
  if (status === 413) return makeError('SW_BODY_TOO_LARGE', message, { cause: err });
  if (status === 404) return makeError('SW_NOT_FOUND', message, { cause: err });
  if (status !== undefined && status >= 400 && status < 500)
    return makeError('SW_BAD_REQUEST', message, { cause: err });
  return makeError('SW_INTERNAL', undefined, { cause: err });
}

export function errorBody(err: StormwatchError): ErrorBody {
  return err.details === undefined
    ? { code: err.code, message: err.message }
    : { code: err.code, message: err.message, details: err.details };
}

/** Installs the error handler and the JSON 404 for unknown /api routes on the root instance. */
export function installErrorHandling(app: FastifyInstance, logger: Logger): void {
  app.setErrorHandler((err, request, reply) => {
    const sw = toStormwatchError(err);
    if (sw.code === 'SW_INTERNAL') logger.error({ err, url: request.url }, 'unhandled error');
    void reply.status(ERROR_CODES[sw.code].status).type('application/json').send(errorBody(sw));
  });
}

/** The JSON 404 every unknown API route answers. */
export function notFoundBody(method: string, url: string): ErrorBody {
  return errorBody(makeError('SW_NOT_FOUND', `no route ${method} ${url.split('?')[0] ?? ''}`));
}
