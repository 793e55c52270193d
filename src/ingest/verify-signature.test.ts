import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { generateSensorKeyPair, loadPrivateKey, signRequest } from '../protocol/signing.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import type { SqliteStore } from '../store/sqlite/index.js';
import { SignatureVerifier } from './verify-signature.js';

const T = 1_900_000_000_000;
const PATH = '/api/v1/submissions';
const GRACE = 3_600_000;
let store: SqliteStore;
let clock: ManualClock;
let verifier: SignatureVerifier;
const keys = generateSensorKeyPair();
const key = loadPrivateKey(keys.privateKeyPem);
const body = Buffer.from('{"x":1}');

beforeEach(() => {
  store = openSqliteStore({ path: ':memory:', seed: randomBytes(16), logger: pino({ level: 'silent' }) });
  store.addSensor({
    id: 's_abcdefghijkl',
    name: 'n',
    operator: 'o',
    public_key_pem: keys.publicKeyPem,
    created_at: 0,
  });
  clock = new ManualClock(T);
  verifier = new SignatureVerifier({
    store,
    authClock: clock,
    windowMs: 300_000,
    nonceCacheMaxEntries: 2,
    keyRotationGraceMs: GRACE,
  });
});
afterEach(() => store.close());

const req = (headers: Record<string, string>, url = PATH, b = body) => ({
  method: 'POST',
  url,
  headers,
  body: b,
});
const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code;
  }
};

describe('SignatureVerifier', () => {
  it('verifies a good request and records the nonce only on commit', () => {
    const h = { ...signRequest('s_abcdefghijkl', key, 'POST', PATH, body, T) };
    const v = verifier.verify(req(h));
    expect(v.sensorId).toBe('s_abcdefghijkl');
    expect(verifier.verify(req(h))).toEqual(v); // not committed yet
    verifier.commit(v);
    expect(codeOf(() => verifier.verify(req(h)))).toBe('SW_AUTH_REPLAY');
    clock.advance(300_001); // the copy is now stale anyway
    expect(codeOf(() => verifier.verify(req(h)))).toBe('SW_AUTH_CLOCK_SKEW');
  });

  it('binds the path with its query and the method', () => {
    const h = { ...signRequest('s_abcdefghijkl', key, 'POST', PATH, body, T) };
    expect(codeOf(() => verifier.verify(req(h, `${PATH}?x=1`)))).toBe('SW_AUTH_BAD_SIGNATURE');
    expect(codeOf(() => verifier.verify({ ...req(h), method: 'PUT' }))).toBe('SW_AUTH_BAD_SIGNATURE');
  });

  it('refuses malformed or missing headers with SW_AUTH_MISSING', () => {
    const h = { ...signRequest('s_abcdefghijkl', key, 'POST', PATH, body, T) };
    expect(codeOf(() => verifier.verify(req({ ...h, 'x-sw-time': '12e3' })))).toBe('SW_AUTH_MISSING');
    expect(codeOf(() => verifier.verify(req({ ...h, 'x-sw-nonce': 'short' })))).toBe('SW_AUTH_MISSING');
    const { 'x-sw-sensor': _drop, ...rest } = h;
    expect(codeOf(() => verifier.verify(req(rest)))).toBe('SW_AUTH_MISSING');
  });

  it('fails closed when the replay cache is full of live nonces', () => {
    for (let i = 0; i < 2; i++) {
      verifier.commit(verifier.verify(req({ ...signRequest('s_abcdefghijkl', key, 'POST', PATH, body, T) })));
    }
    const v = verifier.verify(req({ ...signRequest('s_abcdefghijkl', key, 'POST', PATH, body, T) }));
    expect(codeOf(() => verifier.commit(v))).toBe('SW_UNAVAILABLE');
  });

  it('rotates keys: the pending key becomes current on first use, the old one lasts the grace period', () => {
    const id = 's_abcdefghijkl';
    const next = generateSensorKeyPair();
    const nextKey = loadPrivateKey(next.privateKeyPem);
    const sign = (k: typeof key) => req({ ...signRequest(id, k, 'POST', PATH, body, clock.now()) });
    const use = (k: typeof key) => {
      const v = verifier.verify(sign(k));
      verifier.commit(v);
      return v.keyRole;
    };
    expect(store.setPendingSensorKey(id, next.publicKeyPem)).toBe(true);
    // Until the new key is used, the old one stays current, for as long as it takes.
    clock.advance(10 * GRACE);
    expect(use(key)).toBe('current');
    verifier = new SignatureVerifier({
      store,
      authClock: clock,
      windowMs: 300_000,
      nonceCacheMaxEntries: 100,
      keyRotationGraceMs: GRACE,
    });
    expect(use(nextKey)).toBe('pending');
    expect(store.getSensor(id)?.public_key_pem).toBe(next.publicKeyPem);
    expect(use(nextKey)).toBe('current');
    expect(use(key)).toBe('previous');
    clock.advance(GRACE - 1);
    expect(use(key)).toBe('previous');
    clock.advance(1);
    expect(codeOf(() => verifier.verify(sign(key)))).toBe('SW_AUTH_BAD_SIGNATURE');
    expect(use(nextKey)).toBe('current');
    // A key nobody registered never verifies.
    const stranger = loadPrivateKey(generateSensorKeyPair().privateKeyPem);
    expect(codeOf(() => verifier.verify(sign(stranger)))).toBe('SW_AUTH_BAD_SIGNATURE');
  });

  it('refuses every key of a revoked sensor at once', () => {
    const id = 's_abcdefghijkl';
    const next = generateSensorKeyPair();
    const nextKey = loadPrivateKey(next.privateKeyPem);
    const third = generateSensorKeyPair();
    store.setPendingSensorKey(id, next.publicKeyPem);
    verifier.commit(verifier.verify(req({ ...signRequest(id, nextKey, 'POST', PATH, body, T) })));
    store.setPendingSensorKey(id, third.publicKeyPem);
    const sign = (k: typeof key) => req({ ...signRequest(id, k, 'POST', PATH, body, T) });
    expect(verifier.verify(sign(key)).keyRole).toBe('previous');
    expect(verifier.verify(sign(nextKey)).keyRole).toBe('current');
    expect(verifier.verify(sign(loadPrivateKey(third.privateKeyPem))).keyRole).toBe('pending');
    store.revokeSensor(id);
    for (const k of [key, nextKey, loadPrivateKey(third.privateKeyPem)])
      expect(codeOf(() => verifier.verify(sign(k)))).toBe('SW_AUTH_UNKNOWN_SENSOR');
  });
});
