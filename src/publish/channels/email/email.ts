/**
 * The email channel: one message per delivery over SMTP (nodemailer), text and, when the message has it,
 * HTML.
 *
 * Invariants:
 * - The Message-ID is derived from the message id (same message, same Message-ID), and the id itself is in
 *   X-Stormwatch-Delivery: mail clients and filters can drop a repeat.
 * - Header text from the message is reduced to one line (no header injection); nodemailer encodes it.
 * - SMTP 5xx answers (recipient or sender refused, authentication failed) are permanent; 4xx, connection
 *   errors and timeouts are retryable. When some recipients are refused and others take it, it counts as
 *   delivered (a retry would repeat it to the others) and the refused ones are logged.
 */
import { createHash } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import type { ChannelDeps } from '../config-base.js';
import { abortedError, deliveryFailed, throwIfAborted, withTimeout } from '../failure.js';
import type { Channel, PublishMessage } from '../types.js';
import type { EmailConfig } from './config.js';

// eslint-disable-next-line no-control-regex -- removing control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]+/g;
const oneLine = (s: string, max: number): string => s.replace(CONTROL, ' ').slice(0, max);

/** The mail a message becomes (exported for the tests and the docs). */
export function composeMail(cfg: EmailConfig, msg: PublishMessage) {
  const level = msg.level ? ` [${msg.level.toUpperCase()}]` : '';
  const domain = cfg.from.slice(cfg.from.lastIndexOf('@') + 1);
  const digest = createHash('sha256').update(msg.id).digest('hex').slice(0, 32);
  return {
    from: { name: oneLine(cfg.from_name, 100), address: cfg.from },
    to: cfg.to,
    subject: oneLine(`${cfg.subject_prefix}${level} ${msg.title}`.trim(), 250),
    messageId: `<${digest}@${domain}>`,
    date: new Date(msg.created_at),
    headers: { 'X-Stormwatch-Delivery': msg.id, 'X-Stormwatch-Event': msg.kind },
    text: `${msg.markdown}\n\n${msg.url}\n`,
    ...(msg.html === undefined ? {} : { html: msg.html }),
  };
}

interface SmtpError extends Error {
  code?: string;
  responseCode?: number;
}

export class EmailChannel implements Channel {
  readonly type = 'email';
  readonly name: string;
  private readonly log: Logger;
  private readonly transport: Transporter;

  constructor(
    private readonly cfg: EmailConfig,
    deps: ChannelDeps,
  ) {
    this.name = cfg.name;
    this.log = deps.logger;
    this.transport = nodemailer.createTransport({
      host: cfg.host,
      port: cfg.port,
      secure: cfg.secure,
      requireTLS: !cfg.secure && cfg.starttls === 'required',
      ignoreTLS: !cfg.secure && cfg.starttls === 'off',
      tls: { rejectUnauthorized: cfg.tls_reject_unauthorized },
      connectionTimeout: cfg.timeout_ms,
      greetingTimeout: cfg.timeout_ms,
      socketTimeout: cfg.timeout_ms,
      ...(cfg.auth ? { auth: { user: cfg.auth.user, pass: cfg.auth.pass ?? '' } } : {}),
    });
  }

  async deliver(msg: PublishMessage, signal: AbortSignal): Promise<void> {
    const sig = withTimeout(signal, this.cfg.timeout_ms);
    throwIfAborted(this.name, sig);
    let info: { rejected?: unknown[] };
    try {
      info = await this.transport.sendMail({ ...composeMail(this.cfg, msg), signal: sig });
    } catch (err) {
      if (sig.aborted) throw abortedError(this.name, sig);
      const e = err as SmtpError;
      const code = e.responseCode;
      const permanent = (code !== undefined && code >= 500) || e.code === 'EAUTH';
      const status = code === undefined ? {} : { status: code };
      throw deliveryFailed(this.name, `SMTP: ${e.message}`, { permanent, ...status }, err);
    }
    if (info.rejected && info.rejected.length > 0) {
      this.log.warn(
        { channel: this.name, message: msg.id, rejected: info.rejected.map(String) },
        'recipients refused',
      );
    }
  }

  close(): Promise<void> {
    this.transport.close();
    return Promise.resolve();
  }
}
