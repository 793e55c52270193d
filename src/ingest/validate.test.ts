import { describe, expect, it } from 'vitest';
import { MAX_PROBLEMS, parseJsonBody, validateBatch } from './validate.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const opts = { maxEvents: 100, now: NOW, maxFutureSkewMs: 600_000 };
const good = {
  ts: NOW - 1000,
  proto: 'tcp',
  port: 22,
  src: '198.51.100.7',
  sport: 40000,
  flags: 'S',
  dst: '203.0.113.0',
};

function problems(raw: unknown, o = opts): unknown {
  try {
    validateBatch(raw, o);
  } catch (err) {
    return (err as { code: string; details: unknown }).code === 'SW_BATCH_INVALID'
      ? (err as { details: unknown }).details
      : (err as { code: string }).code;
  }
  return 'ok';
}

describe('validateBatch', () => {
  it('returns the batch with valid events', () => {
    const b = validateBatch(
      { batch_id: 'batch-0001', sensor_time: NOW, events: [good], stats: { dropped: 2 } },
      opts,
    );
    expect(b).toEqual({ batch_id: 'batch-0001', sensor_time: NOW, events: [good], stats: { dropped: 2 } });
  });

  it('passes the addresses the sensor watches through, and refuses a count that cannot be one', () => {
    const base = { batch_id: 'batch-0001', sensor_time: NOW, events: [good] };
    expect(validateBatch({ ...base, watched_addresses: 256 }, opts)).toEqual({
      ...base,
      watched_addresses: 256,
    });
    for (const bad of [0, -1, 2.5, 16_777_217, '256', null]) {
      expect(problems({ ...base, watched_addresses: bad })).toEqual([
        { index: null, field: 'watched_addresses', reason: expect.any(String) as string },
      ]);
    }
  });

  it('reports envelope problems with index null', () => {
    expect(problems({ batch_id: 'x', sensor_time: NOW, events: [] })).toEqual([
      { index: null, field: 'batch_id', reason: expect.stringContaining('8-64') as string },
    ]);
    expect(problems([])).toEqual([{ index: null, field: '(batch)', reason: expect.any(String) as string }]);
  });

  it('reports event problems by index and field, at most MAX_PROBLEMS', () => {
    const events = [good, { ...good, port: -1 }, { ...good, src: 'evil<script>' }, 'text'];
    expect(problems({ batch_id: 'batch-0001', sensor_time: NOW, events })).toEqual([
      { index: 1, field: 'port', reason: expect.any(String) as string },
      { index: 2, field: 'src', reason: 'not an IP address' },
      { index: 3, field: '(event)', reason: expect.any(String) as string },
    ]);
    const many = Array.from({ length: 50 }, () => ({ ...good, port: 1.5 }));
    expect(problems({ batch_id: 'batch-0001', sensor_time: NOW, events: many })).toHaveLength(MAX_PROBLEMS);
  });

  it('refuses events beyond the future skew, but not before it', () => {
    const events = [
      { ...good, ts: NOW + 600_000 },
      { ...good, ts: NOW + 600_001 },
    ];
    expect(problems({ batch_id: 'batch-0001', sensor_time: NOW, events })).toEqual([
      { index: 1, field: 'ts', reason: expect.stringContaining('future') as string },
    ]);
  });

  it('checks the event count before validating events', () => {
    const events = Array.from({ length: 101 }, () => 'not even an event');
    expect(problems({ batch_id: 'batch-0001', sensor_time: NOW, events })).toBe('SW_TOO_MANY_EVENTS');
  });
});

describe('parseJsonBody', () => {
  it('refuses invalid JSON with SW_BAD_ENCODING', () => {
    expect(() => parseJsonBody(Buffer.from('{'))).toThrow(
      expect.objectContaining({ code: 'SW_BAD_ENCODING' }),
    );
    expect(parseJsonBody(Buffer.from('[1]'))).toEqual([1]);
  });
});
