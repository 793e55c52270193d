/**
 * The syslog channel: one CEF event (cef.ts) per message, over UDP (RFC 5426, one datagram) or TCP
 * (RFC 6587 octet counting, one connection per delivery).
 *
 * Invariants:
 * - TCP: delivered once the receiver has read the frame to the end of the stream and closed (its side of)
 *   the connection; a refused or reset connection, or no close before the timeout, is a retryable failure.
 * - UDP: delivered once the datagram left this host; UDP has no acknowledgement, so a receiver that is down
 *   is not seen (use TCP where that matters).
 * - The message id travels in the CEF `externalId` field for receivers to dedupe.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { hostname } from 'node:os';
import type { Clock } from '../../../core/clock.js';
import type { ChannelDeps } from '../config-base.js';
import { abortedError, deliveryFailed, throwIfAborted, withTimeout } from '../failure.js';
import type { Channel, PublishMessage } from '../types.js';
import { octetFrame, syslogLine } from './cef.js';
import type { SyslogOptions } from './cef.js';
import type { SyslogConfig } from './config.js';

export class SyslogChannel implements Channel {
  readonly type = 'syslog';
  readonly name: string;
  private readonly clock: Clock;
  private readonly opts: SyslogOptions;

  constructor(
    private readonly cfg: SyslogConfig,
    deps: ChannelDeps,
  ) {
    this.name = cfg.name;
    this.clock = deps.clock;
    this.opts = {
      facility: cfg.facility,
      hostname: cfg.hostname ?? hostname(),
      app_name: cfg.app_name,
      version: deps.version,
      maxBytes: cfg.max_message_bytes ?? (cfg.protocol === 'udp' ? 2048 : 65_536),
    };
  }

  async deliver(msg: PublishMessage, signal: AbortSignal): Promise<void> {
    const sig = withTimeout(signal, this.cfg.timeout_ms);
    throwIfAborted(this.name, sig);
    const line = syslogLine(msg, this.clock.now(), this.opts);
    if (this.cfg.protocol === 'udp') await this.sendUdp(Buffer.from(line, 'utf8'), sig);
    else await this.sendTcp(octetFrame(line), sig);
  }

  private fail(err: Error, signal: AbortSignal): Error {
    if (signal.aborted) return abortedError(this.name, signal);
    return deliveryFailed(
      this.name,
      `${this.cfg.protocol} ${this.cfg.host}:${this.cfg.port}: ${err.message}`,
      { permanent: false },
      err,
    );
  }

  private sendUdp(buf: Buffer, signal: AbortSignal): Promise<void> {
    const type = net.isIPv6(this.cfg.host) ? 'udp6' : 'udp4';
    return new Promise<void>((resolve, reject) => {
      const socket = dgram.createSocket(type);
      const done = (err: Error | null): void => {
        signal.removeEventListener('abort', onAbort);
        socket.close();
        if (err) reject(this.fail(err, signal));
        else resolve();
      };
      const onAbort = (): void => done(new Error('aborted'));
      signal.addEventListener('abort', onAbort, { once: true });
      socket.on('error', done);
      socket.send(buf, this.cfg.port, this.cfg.host, (err) => done(err ?? null));
    });
  }

  private sendTcp(frame: Buffer, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const socket = net.connect({ host: this.cfg.host, port: this.cfg.port });
      const done = (err: Error | null): void => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        socket.destroy();
        if (err) reject(this.fail(err, signal));
        else resolve();
      };
      const onAbort = (): void => done(new Error('aborted'));
      signal.addEventListener('abort', onAbort, { once: true });
      socket.on('error', done);
      socket.on('data', () => undefined); // a receiver has nothing to say; drain whatever it sends
      socket.on('close', (hadError) => done(hadError ? new Error('connection failed') : null));
      socket.on('connect', () => socket.end(frame));
    });
  }
}
