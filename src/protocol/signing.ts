/**
 * Request signing between sensor and server (Ed25519; the server keeps only public keys).
 *
 * The signed string is, lines joined by "\n":
 *   "SW1-ED25519", METHOD (upper case), PATH (with query), TIME (ms since epoch, decimal), NONCE, SHA256(body) hex
 * where body is the exact bytes sent (after gzip). Headers carried on the request:
 *   x-sw-sensor: sensor id · x-sw-time · x-sw-nonce (16-64 chars [A-Za-z0-9_-]) · x-sw-signature (base64)
 * The server checks: known, unrevoked sensor; |server time - TIME| within the window; nonce not seen within the
 * window; body digest; signature. See docs/ARCHITECTURE.md "Trust".
 *
 * Key rotation: the sensor POSTs `{ public_key }` to SENSOR_KEYS_PATH, signed as above with its current key; the
 * server keeps the new key pending until it signs a first request, then the replaced key stays valid for the
 * server's grace period. A key is named by its fingerprint: SHA-256 hex of its SPKI DER encoding.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  verify,
} from 'node:crypto';
import type { KeyObject } from 'node:crypto';

export const SIGNATURE_SCHEME = 'SW1-ED25519';
export const HEADER_SENSOR = 'x-sw-sensor';
export const HEADER_TIME = 'x-sw-time';
export const HEADER_NONCE = 'x-sw-nonce';
export const HEADER_SIGNATURE = 'x-sw-signature';
export const NONCE_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;
/** Where a sensor registers its next public key (signed with its current one). */
export const SENSOR_KEYS_PATH = '/api/v1/sensors/self/keys';

export interface SignedHeaders {
  [HEADER_SENSOR]: string;
  [HEADER_TIME]: string;
  [HEADER_NONCE]: string;
  [HEADER_SIGNATURE]: string;
}

export function sha256Hex(body: Uint8Array): string {
  return createHash('sha256').update(body).digest('hex');
}

export function canonicalString(
  method: string,
  path: string,
  time: number,
  nonce: string,
  body: Uint8Array,
): string {
  return [SIGNATURE_SCHEME, method.toUpperCase(), path, String(time), nonce, sha256Hex(body)].join('\n');
}

export function newNonce(): string {
  return randomBytes(16).toString('base64url');
}

/** A fresh Ed25519 key pair as PEM strings (PKCS#8 private, SPKI public). */
export function generateSensorKeyPair(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** SHA-256 hex of a public key's SPKI DER: the same for every PEM spelling of one key. */
export function publicKeyFingerprint(key: KeyObject): string {
  return createHash('sha256')
    .update(key.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

export function loadPrivateKey(pem: string): KeyObject {
  return createPrivateKey(pem);
}

/** Parses and checks a public key: it must be Ed25519. Throws on anything else. */
export function loadPublicKey(pem: string): KeyObject {
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType !== 'ed25519')
    throw new Error(`public key is ${key.asymmetricKeyType}, expected ed25519`);
  return key;
}

export function signRequest(
  sensorId: string,
  key: KeyObject,
  method: string,
  path: string,
  body: Uint8Array,
  time: number,
  nonce: string = newNonce(),
): SignedHeaders {
  const signature = sign(null, Buffer.from(canonicalString(method, path, time, nonce, body)), key).toString(
    'base64',
  );
  return {
    [HEADER_SENSOR]: sensorId,
    [HEADER_TIME]: String(time),
    [HEADER_NONCE]: nonce,
    [HEADER_SIGNATURE]: signature,
  };
}

export function verifySignature(
  key: KeyObject,
  method: string,
  path: string,
  body: Uint8Array,
  time: number,
  nonce: string,
  signatureB64: string,
): boolean {
  const sig = Buffer.from(signatureB64, 'base64');
  if (sig.length !== 64) return false;
  return verify(null, Buffer.from(canonicalString(method, path, time, nonce, body)), key, sig);
}
