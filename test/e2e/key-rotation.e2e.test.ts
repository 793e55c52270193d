/**
 * Sensor key rotation end to end, on a real server over HTTP: `stormwatch sensor rotate-key --config F` as a
 * process, and the rotation stopped at each of its steps as a crash would stop it, after which the key on disk
 * must still upload, and rotating again must finish the job.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../src/api/server.js';
import type { ServerHandle } from '../../src/api/server.js';
import { createEnrollmentTokenViaApi, submitBatch } from '../../src/protocol/client.js';
import { enrollSensor } from '../../src/sensor/enroll.js';
import { KEY_FILE, readIdentity, readSensorKey } from '../../src/sensor/identity.js';
import { NEXT_KEY_FILE, rotateSensorKey } from '../../src/sensor/rotate-key.js';
import type { RotationStep } from '../../src/sensor/rotate-key.js';
import { ROOT } from './cli.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'sw-rotate-'));
let server: ServerHandle;
let n = 0;
/** The server's real clock runs `skew` ms ahead, so that a test can jump past the grace period. */
let skew = 0;
const GRACE = 60_000;
const realNow = (): number => Date.now() + skew;

beforeAll(async () => {
  server = await startServer({
    port: 0,
    dataDir: join(dir, 'server'),
    logger: pino({ level: 'silent' }),
    authClock: { now: realNow },
    config: { key_rotation_grace_ms: GRACE },
  });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function newSensor(): Promise<{ dataDir: string; sensorId: string }> {
  const dataDir = join(dir, `sensor-${n++}`);
  mkdirSync(dataDir, { recursive: true });
  const { token } = await createEnrollmentTokenViaApi(server.url, server.adminToken, 'rotation-test');
  const { sensorId } = await enrollSensor({ serverUrl: server.url, token, dataDir });
  return { dataDir, sensorId };
}

/** Uploads one event signed with the key now on disk; the server's answer. */
async function uploadWithKeyOnDisk(dataDir: string): Promise<string> {
  const id = readIdentity(dataDir);
  const ack = await submitBatch(
    server.url,
    id?.sensor_id ?? '',
    readSensorKey(dataDir),
    {
      batch_id: `rot-${n++}-${Date.now()}`,
      sensor_time: Date.now(),
      events: [{ ts: Date.now() - 1000, proto: 'tcp', port: 22, src: '192.0.2.1' }],
    },
    realNow(),
  );
  return ack.status;
}

const crash = (at: RotationStep) => (step: RotationStep) => {
  if (step === at) throw new Error(`simulated crash after ${step}`);
};

describe('sensor key rotation', () => {
  it('rotate-key --config: a new key in place, the server switched on its first use', async () => {
    skew = 0; // the CLI signs with the real clock
    const { dataDir, sensorId } = await newSensor();
    const before = readFileSync(join(dataDir, KEY_FILE), 'utf8');
    const config = join(dataDir, 'sensor.yaml');
    writeFileSync(
      config,
      `server_url: ${server.url}\ndata_dir: ${dataDir}\ninputs:\n  - type: iptables\n    path: /var/log/kern.log\n`,
    );
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'sensor', 'rotate-key', '--config', config],
      { cwd: ROOT, env: { ...process.env, STORMWATCH_LOG_LEVEL: 'warn' } },
    );
    expect(stdout).toMatch(new RegExp(`sensor ${sensorId}: new key [0-9a-f]{16} registered`));
    const after = readFileSync(join(dataDir, KEY_FILE), 'utf8');
    expect(after).not.toBe(before);
    expect(statSync(join(dataDir, KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(existsSync(join(dataDir, NEXT_KEY_FILE))).toBe(false);
    expect(server.store.getSensor(sensorId)?.pending_public_key_pem).not.toBeNull();
    expect(await uploadWithKeyOnDisk(dataDir)).toBe('accepted');
    expect(server.store.getSensor(sensorId)).toMatchObject({ pending_public_key_pem: null });
    // The replaced key: accepted within the grace period, refused after it.
    const oldKeyDir = join(dataDir, 'old');
    mkdirSync(oldKeyDir);
    writeFileSync(join(oldKeyDir, KEY_FILE), before, { mode: 0o600 });
    writeFileSync(join(oldKeyDir, 'identity.json'), readFileSync(join(dataDir, 'identity.json')));
    expect(await uploadWithKeyOnDisk(oldKeyDir)).toBe('accepted');
    skew += GRACE;
    await expect(uploadWithKeyOnDisk(oldKeyDir)).rejects.toMatchObject({ status: 401 });
    expect(await uploadWithKeyOnDisk(dataDir)).toBe('accepted');
  });

  for (const step of ['next-written', 'registered', 'swapped'] as const) {
    it(`after a crash at "${step}", the sensor still uploads, and rotating again completes`, async () => {
      const { dataDir, sensorId } = await newSensor();
      const original = readFileSync(join(dataDir, KEY_FILE), 'utf8');
      await expect(rotateSensorKey({ dataDir, now: realNow, afterStep: crash(step) })).rejects.toThrow(
        /simulated crash/,
      );
      const onDisk = readFileSync(join(dataDir, KEY_FILE), 'utf8');
      expect(onDisk === original).toBe(step !== 'swapped');
      expect(await uploadWithKeyOnDisk(dataDir)).toBe('accepted');
      // Much later (the grace period long gone), the key on disk still works.
      skew += 10 * GRACE;
      expect(await uploadWithKeyOnDisk(dataDir)).toBe('accepted');

      const done = await rotateSensorKey({ dataDir, now: realNow });
      expect(done.sensorId).toBe(sensorId);
      expect(await uploadWithKeyOnDisk(dataDir)).toBe('accepted');
      expect(existsSync(join(dataDir, NEXT_KEY_FILE))).toBe(false);
      expect(readFileSync(join(dataDir, KEY_FILE), 'utf8')).not.toBe(onDisk);
    });
  }

  it('keeps the key and says why when the server refuses the registration (revoked sensor)', async () => {
    const { dataDir, sensorId } = await newSensor();
    const before = readFileSync(join(dataDir, KEY_FILE), 'utf8');
    server.store.revokeSensor(sensorId);
    await expect(rotateSensorKey({ dataDir, now: realNow })).rejects.toMatchObject({
      code: 'SW_AUTH_UNKNOWN_SENSOR',
    });
    expect(readFileSync(join(dataDir, KEY_FILE), 'utf8')).toBe(before);
    expect(existsSync(join(dataDir, NEXT_KEY_FILE))).toBe(false);
  });
});
