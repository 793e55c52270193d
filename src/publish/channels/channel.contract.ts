/**
 * The contract every channel passes (rules in types.ts), run against a real local receiver by each
 * channel's test: `runChannelContract('webhook', async () => harness)`.
 *
 * A harness points `channel` at a working receiver and says what that receiver got (the message ids, in
 * order of arrival). `failing` points at a receiver that refuses; `hanging` at one that never answers.
 * A channel for which such a receiver cannot exist gives `{ skip: reason }` (UDP has no answer at all).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStormwatchError } from '../../core/errors.js';
import { sampleMessage } from '../dispatcher/test-helpers.js';
import type { Channel, PublishMessage } from './types.js';

export interface ContractHarness {
  channel: Channel;
  received(): Promise<string[]>;
  failing: Channel | { skip: string };
  hanging: Channel | { skip: string };
  close(): Promise<void>;
}

export const contractBundle = {
  type: 'bundle',
  id: 'bundle--6f1f3c4e-8d0a-4c4f-9d0e-2b6a4f1f6a01',
  objects: [
    { type: 'indicator', spec_version: '2.1', id: 'indicator--0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d' },
  ],
};

export function contractMessage(id: string): PublishMessage {
  return sampleMessage({ id, stix: contractBundle });
}

async function expectTypedRejection(p: Promise<void>, channel: string): Promise<void> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, 'deliver must reject').not.toBeNull();
  if (!isStormwatchError(err)) throw new Error(`untyped rejection: ${String(err)}`);
  expect(['SW_DELIVERY_FAILED', 'SW_TARGET_REFUSED']).toContain(err.code);
  expect((err.details as { channel?: string }).channel).toBe(channel);
  expect(typeof (err.details as { permanent?: unknown }).permanent).toBe('boolean');
}

export function runChannelContract(
  type: string,
  make: () => ContractHarness | Promise<ContractHarness>,
): void {
  describe(`channel contract: ${type}`, () => {
    let h: ContractHarness;
    beforeAll(async () => {
      h = await make();
    });
    afterAll(async () => {
      await h?.close();
    });

    it('delivers a message to the receiver, carrying the message id', async () => {
      expect(h.channel.type).toBe(type);
      await h.channel.deliver(contractMessage('contract:1'), new AbortController().signal);
      expect(await h.received()).toContain('contract:1');
    });

    it('delivers the same message again when asked (at least once; receivers dedupe on the id)', async () => {
      const before = (await h.received()).filter((id) => id === 'contract:2').length;
      await h.channel.deliver(contractMessage('contract:2'), new AbortController().signal);
      await h.channel.deliver(contractMessage('contract:2'), new AbortController().signal);
      const after = (await h.received()).filter((id) => id === 'contract:2').length;
      expect(after - before).toBeGreaterThanOrEqual(1);
    });

    it('rejects with a typed error when the receiver fails', async (ctx) => {
      if ('skip' in h.failing) return ctx.skip(h.failing.skip);
      await expectTypedRejection(
        h.failing.deliver(contractMessage('contract:3'), new AbortController().signal),
        h.failing.name,
      );
    });

    it('rejects an already aborted delivery without sending it', async () => {
      const ac = new AbortController();
      ac.abort();
      await expectTypedRejection(h.channel.deliver(contractMessage('contract:4'), ac.signal), h.channel.name);
      await h.channel.deliver(contractMessage('contract:5'), new AbortController().signal);
      const got = await h.received();
      expect(got).toContain('contract:5');
      expect(got).not.toContain('contract:4');
    });

    it('rejects with a typed error when a hanging receiver outlasts the timeout', async (ctx) => {
      if ('skip' in h.hanging) return ctx.skip(h.hanging.skip);
      await expectTypedRejection(
        h.hanging.deliver(contractMessage('contract:6'), AbortSignal.timeout(300)),
        h.hanging.name,
      );
    });
  });
}
