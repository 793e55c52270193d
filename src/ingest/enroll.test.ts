import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateSensorKeyPair } from '../protocol/signing.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import type { SqliteStore } from '../store/sqlite/index.js';
import { createEnrollmentToken, enrollSensor, hashToken, newSensorId, SENSOR_ID_PATTERN } from './enroll.js';

const NOW = 1_900_000_000_000;
let store: SqliteStore;
beforeEach(() => {
  store = openSqliteStore({ path: ':memory:', seed: randomBytes(16), logger: pino({ level: 'silent' }) });
});
afterEach(() => store.close());

const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
};

describe('enrolment', () => {
  it('makes pseudonymous sensor ids', () => {
    const ids = new Set(Array.from({ length: 1000 }, newSensorId));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(SENSOR_ID_PATTERN);
  });

  it('exchanges a token once for a sensor with the token operator', () => {
    const token = createEnrollmentToken(store, { operator: 'acme', ttlMs: 60_000, now: NOW });
    const { publicKeyPem } = generateSensorKeyPair();
    const { sensor_id } = enrollSensor(
      store,
      { token, public_key: publicKeyPem, name: 'edge 1' },
      { now: NOW, createdAt: 5 },
    );
    expect(store.getSensor(sensor_id)).toMatchObject({
      name: 'edge 1',
      operator: 'acme',
      created_at: 5,
      revoked: false,
    });
    expect(
      code(() => enrollSensor(store, { token, public_key: publicKeyPem }, { now: NOW, createdAt: 5 })),
    ).toBe('SW_ENROLL_TOKEN');
  });

  it('keeps only the token hash', () => {
    const token = createEnrollmentToken(store, { operator: 'acme', ttlMs: 60_000, now: NOW });
    expect(store.consumeEnrollmentToken(token, NOW)).toBeNull();
    expect(store.consumeEnrollmentToken(hashToken(token), NOW)).toBe('acme');
  });

  it('refuses an expired token', () => {
    const token = createEnrollmentToken(store, { operator: 'acme', ttlMs: 60_000, now: NOW });
    const { publicKeyPem } = generateSensorKeyPair();
    expect(
      code(() =>
        enrollSensor(store, { token, public_key: publicKeyPem }, { now: NOW + 60_001, createdAt: 0 }),
      ),
    ).toBe('SW_ENROLL_TOKEN');
  });

  it('does not burn the token on a bad key or a bad body', () => {
    const token = createEnrollmentToken(store, { operator: 'acme', ttlMs: 60_000, now: NOW });
    expect(
      code(() => enrollSensor(store, { token, public_key: 'not a key' }, { now: NOW, createdAt: 0 })),
    ).toBe('SW_BAD_REQUEST');
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const ecPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(code(() => enrollSensor(store, { token, public_key: ecPem }, { now: NOW, createdAt: 0 }))).toBe(
      'SW_BAD_REQUEST',
    );
    expect(
      code(() => enrollSensor(store, { token, public_key: ecPem, admin: true }, { now: NOW, createdAt: 0 })),
    ).toBe('SW_BAD_REQUEST');
    const ok = enrollSensor(
      store,
      { token, public_key: generateSensorKeyPair().publicKeyPem },
      { now: NOW, createdAt: 0 },
    );
    expect(ok.sensor_id).toMatch(SENSOR_ID_PATTERN);
  });

  it('validates the operator and ttl of a new token', () => {
    expect(code(() => createEnrollmentToken(store, { operator: '<b>', ttlMs: 1, now: NOW }))).toBe(
      'SW_BAD_REQUEST',
    );
    expect(code(() => createEnrollmentToken(store, { operator: 'ok', ttlMs: 0, now: NOW }))).toBe(
      'SW_BAD_REQUEST',
    );
  });
});
