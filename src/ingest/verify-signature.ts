/**
 * Authenticates a signed sensor request: Ed25519 request signature of src/protocol/signing.ts over the exact body.
 *
 * Invariants:
 * - Checks, in order: all four x-sw-* headers present and well formed (SW_AUTH_MISSING); x-sw-time within
 *   ±window of the REAL server clock (`authClock`, never the demo's virtual event clock; SW_AUTH_CLOCK_SKEW);
 *   sensor known and not revoked (SW_AUTH_UNKNOWN_SENSOR); signature over method, path with query, time,
 *   nonce and SHA-256 of the body (SW_AUTH_BAD_SIGNATURE); nonce not seen in the window (SW_AUTH_REPLAY).
 * - Keys tried, in order: the current key, the pending key of a rotation, the previous key while the real
 *   clock is before its `previous_key_valid_until`. Nothing else verifies.
 * - Verification records nothing: the caller calls `commit` once it has decided to process the request, in
 *   the same synchronous turn as `verify`, so two concurrent copies of one request cannot both pass. A request
 *   signed with the pending key makes it current at commit (the replaced key stays valid `keyRotationGraceMs`).
 * - Revocation takes effect on the next request, for every key: the sensor is looked up every time (parsed
 *   keys are cached by PEM, only the sensor's present ones).
 */
import type { KeyObject } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import { makeError } from '../core/errors.js';
import {
  HEADER_NONCE,
  HEADER_SENSOR,
  HEADER_SIGNATURE,
  HEADER_TIME,
  NONCE_PATTERN,
  loadPublicKey,
  verifySignature,
} from '../protocol/signing.js';
import type { SensorRecord, Store } from '../store/store.js';
import { NonceCache } from './nonce-cache.js';

export interface SignedRequest {
  method: string;
  /** Path with query, exactly as sent (what the sensor signed). */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Uint8Array;
}

/** Which of the sensor's keys signed: see the module header. */
export type KeyRole = 'current' | 'pending' | 'previous';

export interface VerifiedRequest {
  sensorId: string;
  nonce: string;
  time: number;
  keyRole: KeyRole;
  /** The PEM of the key that verified (for the promotion of a pending key). */
  keyPem: string;
}

export interface SignatureVerifierOptions {
  store: Pick<Store, 'getSensor' | 'promoteSensorKey'>;
  authClock: Clock;
  windowMs: number;
  nonceCacheMaxEntries: number;
  /** How long a replaced key stays valid after its successor signed a first request (real time). */
  keyRotationGraceMs: number;
}

interface CandidateKey {
  role: KeyRole;
  pem: string;
  key: KeyObject;
}

const TIME_PATTERN = /^\d{1,16}$/;
const SENSOR_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const SIGNATURE_PATTERN = /^[A-Za-z0-9+/]{86}==$/;

function header(headers: SignedRequest['headers'], name: string, pattern: RegExp): string {
  const v = headers[name];
  if (v === undefined) throw makeError('SW_AUTH_MISSING', `header ${name} is missing`);
  if (typeof v !== 'string' || !pattern.test(v))
    throw makeError('SW_AUTH_MISSING', `header ${name} is malformed`);
  return v;
}

export class SignatureVerifier {
  private readonly nonces: NonceCache;
  private readonly keys = new Map<string, CandidateKey[]>();

  constructor(private readonly opts: SignatureVerifierOptions) {
    this.nonces = new NonceCache(opts.nonceCacheMaxEntries);
  }

  /**
   * The checks that need no body: headers, time window, sensor known and not revoked. Run before the body is
   * read, so an unauthenticated client cannot make the server buffer megabytes. `verify` repeats them.
   */
  precheck(headers: SignedRequest['headers']): {
    sensorId: string;
    time: number;
    nonce: string;
    signature: string;
    keys: CandidateKey[];
  } {
    const sensorId = header(headers, HEADER_SENSOR, SENSOR_PATTERN);
    const time = Number(header(headers, HEADER_TIME, TIME_PATTERN));
    const nonce = header(headers, HEADER_NONCE, NONCE_PATTERN);
    const signature = header(headers, HEADER_SIGNATURE, SIGNATURE_PATTERN);

    const now = this.opts.authClock.now();
    const skew = time - now;
    if (Math.abs(skew) > this.opts.windowMs) {
      throw makeError(
        'SW_AUTH_CLOCK_SKEW',
        `request time is ${skew} ms from server time; allowed ±${this.opts.windowMs}`,
        {
          details: { server_time: now, skew_ms: skew },
        },
      );
    }
    const sensor = this.opts.store.getSensor(sensorId);
    if (!sensor || sensor.revoked) throw makeError('SW_AUTH_UNKNOWN_SENSOR');
    return { sensorId, time, nonce, signature, keys: this.keysOf(sensor, now) };
  }

  /** Throws a SW_AUTH_* StormwatchError, or returns who signed the request and with which key. Records nothing. */
  verify(req: SignedRequest): VerifiedRequest {
    const { sensorId, time, nonce, signature, keys } = this.precheck(req.headers);
    const signer = keys.find((k) =>
      verifySignature(k.key, req.method, req.url, req.body, time, nonce, signature),
    );
    if (!signer) throw makeError('SW_AUTH_BAD_SIGNATURE');
    if (this.nonces.has(sensorId, nonce, this.opts.authClock.now())) throw makeError('SW_AUTH_REPLAY');
    return { sensorId, nonce, time, keyRole: signer.role, keyPem: signer.pem };
  }

  /**
   * Remembers the nonce until no copy of the request could pass the window (SW_UNAVAILABLE when full), and makes
   * a pending key that signed the request the current one.
   */
  commit(v: VerifiedRequest): void {
    const now = this.opts.authClock.now();
    if (!this.nonces.remember(v.sensorId, v.nonce, v.time + this.opts.windowMs + 1, now)) {
      throw makeError('SW_UNAVAILABLE', 'replay cache full; retry later');
    }
    if (v.keyRole === 'pending') {
      this.opts.store.promoteSensorKey(v.sensorId, v.keyPem, now + this.opts.keyRotationGraceMs);
    }
  }

  private keysOf(sensor: SensorRecord, now: number): CandidateKey[] {
    const wanted: Array<[KeyRole, string | null]> = [
      ['current', sensor.public_key_pem],
      ['pending', sensor.pending_public_key_pem],
      [
        'previous',
        sensor.previous_key_valid_until !== null && now < sensor.previous_key_valid_until
          ? sensor.previous_public_key_pem
          : null,
      ],
    ];
    const cached = this.keys.get(sensor.id);
    const out: CandidateKey[] = [];
    for (const [role, pem] of wanted) {
      if (pem === null) continue;
      const hit = cached?.find((k) => k.pem === pem);
      out.push({ role, pem, key: hit ? hit.key : loadPublicKey(pem) });
    }
    this.keys.set(sensor.id, out);
    return out;
  }
}
