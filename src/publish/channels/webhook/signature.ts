/**
 * Webhook signatures: `X-Stormwatch-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
 * The time inside the signed text lets a receiver refuse old replays; the message id in
 * `X-Stormwatch-Delivery` lets it drop repeats (delivery is at least once). Verification compares in
 * constant time and accepts any of several v1 values (a receiver rotating its secret).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-stormwatch-signature';
export const DELIVERY_HEADER = 'x-stormwatch-delivery';

export function signatureHex(secret: string, t: number, body: string | Buffer): string {
  return createHmac('sha256', secret).update(`${t}.`).update(body).digest('hex');
}

/** @example signatureHeader('s3cret', 1767225600, '{"id":"a"}') // 't=1767225600,v1=…' */
export function signatureHeader(secret: string, t: number, body: string | Buffer): string {
  return `t=${t},v1=${signatureHex(secret, t, body)}`;
}

/**
 * Receiver side: true when the header is well formed, its time within `toleranceSecs` of `nowSecs`, and
 * one v1 value matches.
 */
export function verifySignature(
  header: string | undefined,
  body: string | Buffer,
  secret: string,
  nowSecs: number,
  toleranceSecs = 300,
): boolean {
  if (!header || header.length > 1000) return false;
  let t = NaN;
  const sigs: string[] = [];
  for (const part of header.split(',')) {
    const [k, v] = part.split('=', 2);
    if (k === 't' && v && /^\d{1,12}$/.test(v)) t = Number(v);
    else if (k === 'v1' && v && /^[0-9a-f]{64}$/.test(v)) sigs.push(v);
  }
  if (!Number.isFinite(t) || Math.abs(nowSecs - t) > toleranceSecs) return false;
  const want = Buffer.from(signatureHex(secret, t, body), 'hex');
  return sigs.some((s) => timingSafeEqual(Buffer.from(s, 'hex'), want));
}
