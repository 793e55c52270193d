/** The stix-file channel on a real temporary folder. */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isStormwatchError } from '../../../core/errors.js';
import { sampleMessage, tempDir } from '../../dispatcher/test-helpers.js';
import { contractBundle, runChannelContract } from '../channel.contract.js';
import { isPermanentFailure } from '../failure.js';
import { webhookDeps } from '../webhook/test-helpers.js';
import { stixFileConfigSchema } from './config.js';
import { fileNameFor, StixFileChannel } from './stix-file.js';

const root = tempDir('sw-stix-');
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

function folder(): string {
  const d = join(root, `d${n++}`);
  mkdirSync(d);
  return d;
}
const channel = (directory: string) =>
  new StixFileChannel(
    stixFileConfigSchema.parse({ type: 'stix-file', name: 'taxii-drop', directory }),
    webhookDeps(),
  );
const idsIn = (d: string) =>
  readdirSync(d)
    .filter((f) => f.endsWith('.json'))
    .map((f) => decodeURIComponent(f.slice(0, -5)));

runChannelContract('stix-file', () => {
  const d = folder();
  return {
    channel: channel(d),
    received: () => Promise.resolve(idsIn(d)),
    failing: channel(join(root, 'missing-folder')),
    hanging: { skip: 'a local file write has no remote end that could hang' },
    close: () => Promise.resolve(),
  };
});

describe('stix-file channel', () => {
  it('writes the bundle under the message id, replacing it on a repeat, and leaves no temporary file', async () => {
    const d = folder();
    const ch = channel(d);
    await ch.deliver(sampleMessage({ stix: contractBundle }), new AbortController().signal);
    const updated = { ...contractBundle, objects: [] };
    await ch.deliver(sampleMessage({ stix: updated }), new AbortController().signal);
    expect(readdirSync(d)).toEqual(['advisory%3A42%3Av1.json']);
    expect(JSON.parse(readFileSync(join(d, 'advisory%3A42%3Av1.json'), 'utf8'))).toEqual(updated);
  });

  it('skips a message without a bundle and refuses one that is not a bundle', async () => {
    const d = folder();
    const ch = channel(d);
    await ch.deliver(sampleMessage({ stix: undefined }), new AbortController().signal);
    expect(readdirSync(d)).toEqual([]);
    const err = await ch
      .deliver(sampleMessage({ stix: [1, 2] }), new AbortController().signal)
      .catch((e: unknown) => e);
    expect(isPermanentFailure(err)).toBe(true);
    expect(readdirSync(d)).toEqual([]);
  });

  it('reports an unwritable target as retryable and cleans its temporary file', async () => {
    const d = folder();
    mkdirSync(join(d, fileNameFor('advisory:42:v1'))); // a folder where the file should go: rename fails
    writeFileSync(join(d, 'other.json'), '{}');
    const err = await channel(d)
      .deliver(sampleMessage({ stix: contractBundle }), new AbortController().signal)
      .catch((e: unknown) => e);
    expect(isStormwatchError(err) && err.code).toBe('SW_DELIVERY_FAILED');
    expect(isPermanentFailure(err)).toBe(false);
    expect(readdirSync(d).sort()).toEqual(['advisory%3A42%3Av1.json', 'other.json']);
  });

  it('names files reversibly and safely', () => {
    expect(fileNameFor('advisory:42:v1')).toBe('advisory%3A42%3Av1.json');
    expect(fileNameFor('../../etc/passwd')).toBe('%2E.%2F..%2Fetc%2Fpasswd.json');
    expect(decodeURIComponent('%2E.%2F..%2Fetc%2Fpasswd')).toBe('../../etc/passwd');
    expect(fileNameFor('a/b')).not.toContain('/');
    const long = fileNameFor('x'.repeat(200) + ':');
    expect(long.length).toBeLessThanOrEqual(205);
    expect(long).toMatch(/-[0-9a-f]{16}\.json$/);
  });
});
