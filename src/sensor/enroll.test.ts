import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPublicKey } from 'node:crypto';
import { enrollSensor, isEnrolled } from './enroll.js';
import { readIdentity, readSensorKey } from './identity.js';
import { FakeIngestServer } from './testing/fake-server.js';

let dir: string;
let server: FakeIngestServer;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sw-enroll-'));
  server = new FakeIngestServer();
  await server.listen();
});
afterEach(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('enrollSensor', () => {
  it('keeps the private key local (0600), sends only the public key, saves the identity', async () => {
    server.tokens.add('swe_token_0123456789abcdef');
    const { sensorId } = await enrollSensor({
      serverUrl: server.url,
      token: 'swe_token_0123456789abcdef',
      dataDir: dir,
      name: 'edge-1',
    });
    expect(readIdentity(dir)).toEqual({ sensor_id: sensorId, server_url: server.url });
    expect(statSync(join(dir, 'sensor.key')).mode & 0o777).toBe(0o600);
    const key = readSensorKey(dir);
    // The server holds the matching public key, and never saw the private one.
    const serverKey = server.keys.get(sensorId)!;
    expect(createPublicKey(key).export({ format: 'pem', type: 'spki' })).toBe(
      serverKey.export({ format: 'pem', type: 'spki' }),
    );
    expect(isEnrolled(dir)).toBe(true);
  });

  it('shows the server refusal and keeps no key', async () => {
    await expect(
      enrollSensor({ serverUrl: server.url, token: 'swe_unknown_token_xyz', dataDir: dir }),
    ).rejects.toMatchObject({
      code: 'SW_ENROLL_TOKEN',
      message: expect.stringContaining(
        'SW_ENROLL_TOKEN: enrolment token unknown, used or expired',
      ) as unknown,
    });
    expect(existsSync(join(dir, 'sensor.key'))).toBe(false);
    expect(existsSync(join(dir, 'sensor.key.new'))).toBe(false);
    expect(isEnrolled(dir)).toBe(false);
  });

  it('says when the server cannot be reached', async () => {
    await server.close();
    await expect(enrollSensor({ serverUrl: server.url, token: 't', dataDir: dir })).rejects.toMatchObject({
      code: 'SW_UNAVAILABLE',
    });
  });

  it('refuses to replace an identity without force', async () => {
    server.tokens.add('tok-1-aaaaaaaaaaaaaaaa');
    server.tokens.add('tok-2-aaaaaaaaaaaaaaaa');
    const first = await enrollSensor({
      serverUrl: server.url,
      token: 'tok-1-aaaaaaaaaaaaaaaa',
      dataDir: dir,
    });
    const keyBefore = readFileSync(join(dir, 'sensor.key'), 'utf8');
    await expect(
      enrollSensor({ serverUrl: server.url, token: 'tok-2-aaaaaaaaaaaaaaaa', dataDir: dir }),
    ).rejects.toMatchObject({ code: 'SW_CONFIG_INVALID' });
    expect(readFileSync(join(dir, 'sensor.key'), 'utf8')).toBe(keyBefore);
    const second = await enrollSensor({
      serverUrl: server.url,
      token: 'tok-2-aaaaaaaaaaaaaaaa',
      dataDir: dir,
      force: true,
    });
    expect(second.sensorId).not.toBe(first.sensorId);
  });

  it('says to enrol when the key is missing', () => {
    expect(() => readSensorKey(dir)).toThrow(/run `stormwatch sensor enroll` first/);
  });
});
