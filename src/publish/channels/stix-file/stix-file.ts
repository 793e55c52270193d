/**
 * The stix-file channel: writes each message's STIX 2.1 bundle as `<message id>.json` into a folder, for
 * pickup by a TAXII server or a threat-intelligence platform.
 *
 * Invariants:
 * - Atomic: the bundle is written to a hidden temporary file in the same folder, flushed (fsync), then
 *   renamed over the final name; a reader sees the whole old file or the whole new one, never a part.
 * - The file name is the message id, percent-encoded (reversible; `fileNameFor`), so a repeated delivery
 *   replaces the same file: the folder itself dedupes. Ids whose encoding is too long get a hash suffix.
 * - A message without a bundle is skipped (resolves: nothing to deliver). A bundle that is not an object
 *   of type "bundle" is a permanent failure. A missing or unwritable folder is retryable (an admin fixes it).
 */
import { createHash, randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { ChannelDeps } from '../config-base.js';
import { abortedError, deliveryFailed, throwIfAborted } from '../failure.js';
import type { Channel, PublishMessage } from '../types.js';
import type { StixFileConfig } from './config.js';

const MAX_NAME = 200;

/** `advisory:42:v1` → `advisory%3A42%3Av1.json`. */
export function fileNameFor(id: string): string {
  // A leading dot is encoded too: names starting with "." are the temporary files (and hidden).
  const enc = id
    .replace(/[^A-Za-z0-9._-]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)
    .replace(/^\./, '%2E');
  if (enc.length <= MAX_NAME) return `${enc}.json`;
  const digest = createHash('sha256').update(id).digest('hex').slice(0, 16);
  return `${enc.slice(0, MAX_NAME - 17).replace(/%[0-9A-F]?$/, '')}-${digest}.json`;
}

function isBundle(v: unknown): boolean {
  return (
    typeof v === 'object' && v !== null && !Array.isArray(v) && (v as { type?: unknown }).type === 'bundle'
  );
}

export class StixFileChannel implements Channel {
  readonly type = 'stix-file';
  readonly name: string;
  private readonly log: Logger;

  constructor(
    private readonly cfg: StixFileConfig,
    deps: ChannelDeps,
  ) {
    this.name = cfg.name;
    this.log = deps.logger;
  }

  async deliver(msg: PublishMessage, signal: AbortSignal): Promise<void> {
    throwIfAborted(this.name, signal);
    if (msg.stix === undefined) {
      this.log.debug({ channel: this.name, message: msg.id }, 'no STIX bundle: skipped');
      return;
    }
    if (!isBundle(msg.stix)) {
      throw deliveryFailed(this.name, `message ${msg.id}: stix is not a STIX bundle object`, {
        permanent: true,
      });
    }
    const final = join(this.cfg.directory, fileNameFor(msg.id));
    const tmp = join(this.cfg.directory, `.${randomBytes(8).toString('hex')}.tmp`);
    const body = `${JSON.stringify(msg.stix)}\n`;
    let written = false;
    try {
      const fh = await open(tmp, 'wx', 0o644);
      written = true;
      try {
        await fh.writeFile(body, 'utf8');
        await fh.sync();
      } finally {
        await fh.close();
      }
      throwIfAborted(this.name, signal);
      await rename(tmp, final);
      written = false;
    } catch (err) {
      if (written) await unlink(tmp).catch(() => undefined);
      if (signal.aborted) throw abortedError(this.name, signal);
      if ((err as { code?: string }).code === 'SW_DELIVERY_FAILED') throw err;
      throw deliveryFailed(
        this.name,
        `writing ${final}: ${(err as Error).message}`,
        { permanent: false },
        err,
      );
    }
  }
}
