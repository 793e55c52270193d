/**
 * The webhook channel: POST the message as JSON, signed, to one URL.
 *
 * Invariants:
 * - Every request carries X-Stormwatch-Delivery (the message id) and X-Stormwatch-Signature (signature.ts).
 * - The target passes the SSRF guard (target.ts) before every attempt, and the request connects to the
 *   address that was checked (pinned lookup); redirects are never followed.
 * - 2xx: done. 3xx and 4xx other than 408/429: permanent failure (dead letter at once). 408, 429, 5xx,
 *   network errors and timeouts: retryable; Retry-After (seconds or an HTTP date) is passed on as a floor.
 * - At most 64 KiB of a response is read (the first 200 characters go into the error); then it is dropped.
 */
import http from 'node:http';
import https from 'node:https';
import type { Clock } from '../../../core/clock.js';
import { makeError } from '../../../core/errors.js';
import type { ChannelDeps } from '../config-base.js';
import { abortedError, deliveryFailed, throwIfAborted, untilAborted, withTimeout } from '../failure.js';
import type { Channel, PublishMessage } from '../types.js';
import type { WebhookConfig } from './config.js';
import { signatureHeader } from './signature.js';
import { pinnedLookup, resolveTarget } from './target.js';
import type { LookupAll, ResolvedTarget } from './target.js';

const MAX_RESPONSE_BYTES = 65_536;

/** The JSON body a receiver gets (documented in docs/CHANNELS.md). */
export function webhookPayload(msg: PublishMessage): Record<string, unknown> {
  return {
    id: msg.id,
    kind: msg.kind,
    created_at: new Date(msg.created_at).toISOString(),
    title: msg.title,
    summary: msg.summary,
    url: msg.url,
    level: msg.level ?? null,
    proto: msg.proto ?? null,
    port: msg.port ?? null,
    markdown: msg.markdown,
    data: msg.json ?? null,
    ...(msg.stix === undefined ? {} : { stix: msg.stix }),
  };
}

function retryAfter(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined;
  if (/^\d{1,7}$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(at - now, 0) : undefined;
}

export class WebhookChannel implements Channel {
  readonly type = 'webhook';
  readonly name: string;
  private readonly clock: Clock;
  private readonly lookup: LookupAll | undefined;
  private readonly userAgent: string;
  private readonly secret: string;

  constructor(
    private readonly cfg: WebhookConfig,
    deps: ChannelDeps,
  ) {
    this.name = cfg.name;
    this.clock = deps.clock;
    this.lookup = deps.lookupAll;
    this.userAgent = `Stormwatch/${deps.version}`;
    if (!cfg.secret) throw makeError('SW_CONFIG_INVALID', `channel ${cfg.name}: secret not resolved`);
    this.secret = cfg.secret;
  }

  async deliver(msg: PublishMessage, signal: AbortSignal): Promise<void> {
    const sig = withTimeout(signal, this.cfg.timeout_ms);
    throwIfAborted(this.name, sig);
    // A name lookup cannot be cancelled, but the delivery stops waiting for it.
    const lookup = resolveTarget(this.name, this.cfg.url, {
      allowPrivate: this.cfg.allow_private,
      lookup: this.lookup,
    });
    const target = await untilAborted(this.name, lookup, sig);
    throwIfAborted(this.name, sig);
    const body = JSON.stringify(webhookPayload(msg));
    const t = Math.floor(this.clock.now() / 1000);
    await this.post(
      target,
      body,
      {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        'user-agent': this.userAgent,
        'x-stormwatch-delivery': msg.id,
        'x-stormwatch-event': msg.kind,
        'x-stormwatch-signature': signatureHeader(this.secret, t, body),
      },
      sig,
    );
  }

  private post(
    target: ResolvedTarget,
    body: string,
    headers: Record<string, string>,
    signal: AbortSignal,
  ): Promise<void> {
    const secure = target.url.protocol === 'https:';
    return new Promise<void>((resolve, reject) => {
      const req = (secure ? https : http).request(
        {
          method: 'POST',
          host: target.host,
          port: target.port,
          path: `${target.url.pathname}${target.url.search}`,
          headers,
          agent: false,
          lookup: pinnedLookup(target),
          signal,
          ...(secure ? { servername: target.host } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size <= MAX_RESPONSE_BYTES) chunks.push(c);
            else res.destroy();
          });
          const settle = (): void => {
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) return resolve();
            const text = Buffer.concat(chunks).toString('utf8').replace(/\s+/g, ' ').slice(0, 200);
            const what =
              status >= 300 && status < 400
                ? `redirect to ${res.headers.location ?? '?'} not followed`
                : text;
            const permanent = status < 500 && status !== 408 && status !== 429;
            const after = retryAfter(res.headers['retry-after'], this.clock.now());
            reject(
              deliveryFailed(this.name, `HTTP ${status} from receiver${what ? `: ${what}` : ''}`, {
                permanent,
                status,
                ...(after === undefined ? {} : { retry_after_ms: after }),
              }),
            );
          };
          res.on('end', settle);
          res.on('close', () => {
            if (res.complete) return;
            if (size > MAX_RESPONSE_BYTES) settle();
            else if (signal.aborted) reject(abortedError(this.name, signal));
            else reject(deliveryFailed(this.name, 'response cut short', { permanent: false }));
          });
          res.on('error', () => undefined); // 'close' or the request's error handler settles
        },
      );
      req.on('error', (err) => {
        if (signal.aborted) reject(abortedError(this.name, signal));
        else reject(deliveryFailed(this.name, `request failed: ${err.message}`, { permanent: false }, err));
      });
      req.end(body);
    });
  }
}
