/**
 * The admin bearer token: read from `<dataDir>/admin-token`, or created there (mode 0600) on first start.
 *
 * Invariants: the token is 256 random bits; the file is never readable by group or others (tightened with
 * a warning if it is); comparison is constant-time over SHA-256 digests so neither content nor length leaks.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { makeError } from '../core/errors.js';

export const ADMIN_TOKEN_FILE = 'admin-token';

/**
 * Returns the data dir's admin token, creating it when absent.
 * @example const token = loadOrCreateAdminToken('/var/lib/stormwatch', logger)
 */
export function loadOrCreateAdminToken(dataDir: string, logger: Logger): string {
  const path = join(dataDir, ADMIN_TOKEN_FILE);
  try {
    const token = `swa_${randomBytes(32).toString('base64url')}`;
    writeFileSync(path, `${token}\n`, { mode: 0o600, flag: 'wx' });
    logger.info({ path }, 'admin token created');
    return token;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  if ((statSync(path).mode & 0o077) !== 0) {
    chmodSync(path, 0o600);
    logger.warn({ path }, 'admin token file was readable by others; permissions set to 0600');
  }
  const token = readFileSync(path, 'utf8').trim();
  if (token.length < 16) throw makeError('SW_CONFIG_INVALID', `${path}: admin token is empty or too short`);
  return token;
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * A preHandler that lets a request through only with `Authorization: Bearer <token>`; else SW_AUTH_ADMIN.
 * @example app.post('/api/v1/admin/x', { preHandler: requireAdmin(token) }, handler)
 */
export function requireAdmin(token: string): (request: FastifyRequest) => Promise<void> {
  const expected = digest(token);
  return (request) => {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    if (!m?.[1] || !timingSafeEqual(digest(m[1]), expected))
      return Promise.reject(makeError('SW_AUTH_ADMIN'));
    return Promise.resolve();
  };
}
