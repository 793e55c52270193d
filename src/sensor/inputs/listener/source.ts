/**
 * Remote addresses as events carry them, the per-source token bucket with a bounded memory, and the payload
 * sample. Shared by the TCP and UDP listeners.
 */
import crypto, { createHash } from 'node:crypto';
import { PAYLOAD_HEAD_MAX } from '../../../core/event.js';
import type { PayloadSample } from '../../../core/event.js';
import { formatIPv4, formatIPv6, parseIp } from '../../net/ip.js';

/**
 * Canonical text of a socket address: zone id dropped (`fe80::1%eth0`), IPv4-mapped IPv6 unmapped
 * (`::ffff:1.2.3.4` → `1.2.3.4`), IPv6 per RFC 5952. @returns null when `addr` is missing or not an address.
 * @example canonicalSocketAddress('::FFFF:192.0.2.1') // '192.0.2.1'
 */
export function canonicalSocketAddress(addr: string | undefined): string | null {
  if (addr === undefined) return null;
  const pct = addr.indexOf('%');
  const p = parseIp(pct >= 0 ? addr.slice(0, pct) : addr);
  if (p === null) return null;
  if (p.family === 4) return formatIPv4(p.v4);
  const h = p.v6;
  if (h[0] === 0 && h[1] === 0 && h[2] === 0 && h[3] === 0 && h[4] === 0 && h[5] === 0xffff) {
    return formatIPv4((((h[6] ?? 0) << 16) | (h[7] ?? 0)) >>> 0);
  }
  return formatIPv6(h);
}

/** True for 0.0.0.0 and :: (a socket bound there has no single local address). */
export function isUnspecified(canonical: string): boolean {
  return canonical === '0.0.0.0' || canonical === '::';
}

/**
 * The rate-limit key of a canonical source: the IPv4 address itself, or the IPv6 /64 (one host usually holds a
 * whole /64, so per-address buckets would let it walk around its limit).
 * @example sourceKey('2001:db8:1:2:3:4:5:6') // '2001:db8:1:2::/64'
 */
export function sourceKey(src: string): string {
  if (!src.includes(':')) return src;
  const p = parseIp(src);
  if (p === null || p.family !== 6) return src;
  const h = p.v6;
  return `${(h[0] ?? 0).toString(16)}:${(h[1] ?? 0).toString(16)}:${(h[2] ?? 0).toString(16)}:${(h[3] ?? 0).toString(16)}::/64`;
}

interface Bucket {
  tokens: number;
  /** Time of the last refill (ms). */
  t: number;
}

/**
 * Token buckets per source key in a Map bounded to `maxTracked` entries, least recently seen evicted first
 * (a Map keeps insertion order; a hit moves its key to the end). An evicted source starts again with a full
 * bucket: that is the price of bounded memory, and it only favours a source after `maxTracked` others.
 * Invariant: `size <= maxTracked` after every call.
 */
export class SourceRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  constructor(
    private readonly burst: number,
    perMinute: number,
    private readonly maxTracked: number,
  ) {
    this.perMs = perMinute / 60_000;
  }

  /** Takes one token for `key` at time `now` (ms). @returns false when the source is over its limit. */
  take(key: string, now: number): boolean {
    let b = this.buckets.get(key);
    if (b === undefined) {
      if (this.buckets.size >= this.maxTracked) {
        const oldest = this.buckets.keys().next();
        if (oldest.done !== true) this.buckets.delete(oldest.value);
      }
      b = { tokens: this.burst, t: now };
    } else {
      this.buckets.delete(key);
      const elapsed = now - b.t;
      if (elapsed > 0) {
        b.tokens = Math.min(this.burst, b.tokens + elapsed * this.perMs);
        b.t = now;
      }
    }
    this.buckets.set(key, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /** Sources currently tracked. */
  get size(): number {
    return this.buckets.size;
  }

  clear(): void {
    this.buckets.clear();
  }
}

/** SHA-256 hex of `data`: the one-shot crypto.hash where Node has it (20.12+), several times cheaper per call. */
const oneShot = (crypto as { hash?: (alg: string, data: Uint8Array, enc: 'hex') => string }).hash;
export function sha256Hex(data: Uint8Array): string {
  return oneShot !== undefined
    ? oneShot('sha256', data, 'hex')
    : createHash('sha256').update(data).digest('hex');
}

function sampleOf(data: Uint8Array): PayloadSample {
  return {
    sha256: sha256Hex(data),
    head: Buffer.from(data.buffer, data.byteOffset, Math.min(data.length, PAYLOAD_HEAD_MAX)).toString(
      'base64',
    ),
    bytes: data.length,
  };
}

/**
 * Accumulates the first `cap` bytes a source sent (a copy: the caller's chunks may be reused) for a sample at
 * the end: SHA-256 over all of them, the first PAYLOAD_HEAD_MAX bytes as the head. Holds at most `cap` bytes.
 */
export class PayloadAccumulator {
  private buf: Buffer | null = null;
  bytes = 0;

  constructor(private readonly cap: number) {}

  get full(): boolean {
    return this.bytes >= this.cap;
  }

  /** Adds a chunk (the part beyond the cap is ignored). */
  add(chunk: Uint8Array): void {
    const take = Math.min(chunk.length, this.cap - this.bytes);
    if (take <= 0) return;
    this.buf ??= Buffer.allocUnsafeSlow(this.cap);
    this.buf.set(take === chunk.length ? chunk : chunk.subarray(0, take), this.bytes);
    this.bytes += take;
  }

  /** The sample, or undefined when nothing was received. */
  sample(): PayloadSample | undefined {
    if (this.bytes === 0 || this.buf === null) return undefined;
    return sampleOf(this.buf.subarray(0, this.bytes));
  }
}

/** The sample of one datagram (up to `cap` bytes of it), or undefined for an empty one. */
export function datagramSample(msg: Uint8Array, cap: number): PayloadSample | undefined {
  const n = Math.min(msg.length, cap);
  if (n === 0) return undefined;
  return sampleOf(n === msg.length ? msg : msg.subarray(0, n));
}
