/**
 * The spool's durable state (ack cursor, follower positions, spool id) in one small JSON file, replaced atomically:
 * write a temporary file, fsync it, rename it over the old one, fsync the directory. A crash leaves either the old
 * or the new state, never a mix. Writes are serialised; `save` resolves once the given state is durable.
 */
import { closeSync, fsyncSync, openSync, readFileSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { makeError } from '../../core/errors.js';

const positionSchema = z.object({
  path: z.string(),
  inode: z.string(),
  offset: z.number().int().nonnegative(),
  /** An opaque resume token for inputs that are not files (the journal cursor). */
  cursor: z.string().max(4096).optional(),
});

export const stateSchema = z.object({
  version: z.literal(1),
  /** Random id of this spool, the prefix of every batch id it makes (a wiped spool makes new ids). */
  spool_id: z.string().regex(/^[A-Za-z0-9_]{8,24}$/),
  /** The first record not yet acknowledged by the server. */
  ack: z.object({ segment: z.number().int().nonnegative(), offset: z.number().int().nonnegative() }),
  /** Read positions of the inputs, durable only once what came before them is durable in the spool. */
  inputs: z.record(z.string(), positionSchema),
  /** The number of the positions above (SpoolPayload.pos.seq): a record with a higher number holds newer ones. */
  inputs_seq: z.number().int().nonnegative().optional(),
});

export type SpoolState = z.infer<typeof stateSchema>;

export const STATE_FILE = 'state.json';

/** Reads the state; null when there is none. Throws SW_SPOOL_CORRUPT when it exists but is unreadable. */
export function readState(dir: string): SpoolState | null {
  let text: string;
  try {
    text = readFileSync(join(dir, STATE_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    return stateSchema.parse(JSON.parse(text));
  } catch (err) {
    throw makeError(
      'SW_SPOOL_CORRUPT',
      `${join(dir, STATE_FILE)} is unreadable; move it away to start over`,
      { cause: err },
    );
  }
}

export function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export class StateWriter {
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly dir: string) {}

  /** Queues a durable replacement of the state file with `state` (a snapshot: it is serialised now). */
  save(state: SpoolState): Promise<void> {
    const text = JSON.stringify(state);
    const run = this.chain.then(() => this.write(text));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async write(text: string): Promise<void> {
    const tmp = join(this.dir, `${STATE_FILE}.tmp`);
    const fh = await open(tmp, 'w', 0o600);
    try {
      await fh.writeFile(text);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, join(this.dir, STATE_FILE));
    fsyncDir(this.dir);
  }
}
