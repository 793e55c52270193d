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
    const { token } = createEnrollmentToken(store, { operator: 'acme', ttlMs: 60_000, now: NOW });
    const { publicKeyPem } = generateSensorKeyPair();
    const { sensor_id } = enrollSensor(
      store,
      { token, public_key: publicKeyPem, name: 'edge 1' },
      { now: NOW, createdAt: 5 },
    );
    const acme = store.listOperators().find((o) => o.name === 'acme');
    expect(store.getSensor(sensor_id)).toMatchObject({
      name: 'edge 1',
      operator: acme?.id,
      created_at: 5,
      revoked: false,
    });
    expect(
      code(() => enrollSensor(store, { token, public_key: publicKeyPem }, { now: NOW, createdAt: 5 })),
    ).toBe('SW_ENROLL_TOKEN');
  });

  it('keeps only the token hash', () => {
    const { token } = createEnrollmentToken(store, { operator: 'acme', ttlMs: 60_000, now: NOW });
    expect(store.consumeEnrollmentToken(token, NOW)).toBeNull();
    expect(store.consumeEnrollmentToken(hashToken(token), NOW)).toMatch(/^o_[0-9a-f]{16}$/);
  });

  it('refuses an expired token', () => {
    const { token } = createEnrollmentToken(store, { operator: 'acme', ttlMs: 60_000, now: NOW });
    const { publicKeyPem } = generateSensorKeyPair();
    expect(
      code(() =>
        enrollSensor(store, { token, public_key: publicKeyPem }, { now: NOW + 60_001, createdAt: 0 }),
      ),
    ).toBe('SW_ENROLL_TOKEN');
  });

  it('does not burn the token on a bad key or a bad body', () => {
    const { token } = createEnrollmentToken(store, { operator: 'acme', ttlMs: 60_000, now: NOW });
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

  it('names an operator: created on the first use of a name, then reused, or chosen by id', () => {
    const first = createEnrollmentToken(store, { operator: 'Acme CERT', ttlMs: 60_000, now: NOW });
    expect(first.operatorCreated).toBe(true);
    expect(first.operator).toMatchObject({ name: 'Acme CERT', created_at: NOW });
    const second = createEnrollmentToken(store, { operator: 'Acme CERT', ttlMs: 60_000, now: NOW + 1 });
    expect(second).toMatchObject({ operator: first.operator, operatorCreated: false });
    const byId = createEnrollmentToken(store, { operatorId: first.operator.id, ttlMs: 60_000, now: NOW });
    expect(byId.operator).toEqual(first.operator);
    expect(store.listOperators()).toHaveLength(1);

    const ids = [first, second, byId].map(({ token }) => {
      const { publicKeyPem } = generateSensorKeyPair();
      return enrollSensor(store, { token, public_key: publicKeyPem }, { now: NOW, createdAt: 0 }).sensor_id;
    });
    for (const id of ids) expect(store.getSensor(id)?.operator).toBe(first.operator.id);
    const publicIds = ids.map((id) => store.getSensor(id)?.public_id);
    expect(new Set(publicIds).size).toBe(3);
    for (const p of publicIds) {
      expect(p).toMatch(/^ps_[0-9a-f]{16}$/);
      expect(ids.some((id) => p?.includes(id.slice(2)))).toBe(false);
    }

    expect(
      code(() => createEnrollmentToken(store, { operatorId: 'o_0000000000000000', ttlMs: 1, now: NOW })),
    ).toBe('SW_NOT_FOUND');
    expect(
      code(() =>
        createEnrollmentToken(store, { operator: 'x', operatorId: first.operator.id, ttlMs: 1, now: NOW }),
      ),
    ).toBe('SW_BAD_REQUEST');
    expect(code(() => createEnrollmentToken(store, { ttlMs: 1, now: NOW }))).toBe('SW_BAD_REQUEST');
  });

  it('gives public ids that reveal neither the name nor the internal id', () => {
    const names = Array.from({ length: 50 }, (_, i) => `operator ${i}`);
    const ops = names.map(
      (name) => createEnrollmentToken(store, { operator: name, ttlMs: 1, now: NOW }).operator,
    );
    const publicIds = new Set(ops.map((o) => o.public_id));
    expect(publicIds.size).toBe(50);
    for (const o of ops) {
      expect(o.public_id).toMatch(/^po_[0-9a-f]{16}$/);
      expect(o.public_id.slice(3)).not.toBe(o.id.slice(2));
      expect(o.public_id).not.toContain(Buffer.from(o.name).toString('hex').slice(0, 8));
    }
    // Random, not derived: two stores give the same name different ids.
    const other = openSqliteStore({
      path: ':memory:',
      seed: randomBytes(16),
      logger: pino({ level: 'silent' }),
    });
    try {
      const again = createEnrollmentToken(other, { operator: 'operator 0', ttlMs: 1, now: NOW }).operator;
      expect(again.public_id).not.toBe(ops[0]?.public_id);
      expect(again.id).not.toBe(ops[0]?.id);
    } finally {
      other.close();
    }
  });
});
