/**
 * What enqueue accepts: a message that passes publishMessageSchema, no larger than the limit as stored
 * JSON. Refusals are SW_BAD_REQUEST naming every field at fault.
 */
import { makeError } from '../../core/errors.js';
import { publishMessageSchema } from '../channels/types.js';
import type { PublishMessage } from '../channels/types.js';

/** The message as the outbox stores it (JSON), or a thrown SW_BAD_REQUEST. */
export function checkedBody(msg: PublishMessage, maxBytes: number): string {
  const parsed = publishMessageSchema.safeParse(msg);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`,
    );
    throw makeError('SW_BAD_REQUEST', `publish message refused: ${problems.join('; ')}`, {
      details: problems,
    });
  }
  const body = JSON.stringify(parsed.data);
  const bytes = Buffer.byteLength(body);
  if (bytes > maxBytes) {
    throw makeError('SW_BAD_REQUEST', `publish message ${msg.id} is ${bytes} bytes, limit ${maxBytes}`);
  }
  return body;
}
