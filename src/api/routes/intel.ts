/**
 * What Stormwatch knows about a port:
 * GET /api/v1/ports/{proto}/{port}/intel?at=ISO → ranked services and technologies, the vulnerabilities linked to
 * them with their exploits, and the timeline (src/intel correlate), each ranking with its reasons. `at` (default:
 * the data's now) is the moment judged from: nothing disclosed after it is linked.
 *
 * Invariant: public and read-only; times are ISO 8601 text.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { PROTOCOLS } from '../../core/event.js';
import type { Clock } from '../../core/clock.js';
import type { Protocol } from '../../core/event.js';
import type { Correlation } from '../../protocol/intel-types.js';
import { intText, iso, isoTime, parseParams } from '../query.js';

export interface IntelRouteDeps {
  correlate: (proto: Protocol, port: number, at: number) => Correlation;
  eventClock: Clock;
}

const params = z.strictObject({ proto: z.enum(PROTOCOLS), port: intText(0, 65535) });
// An empty `at` means the default.
const query = z.strictObject({ at: z.preprocess((v) => (v === '' ? undefined : v), isoTime.optional()) });

/** The correlation with its times as ISO text. */
export function correlationView(c: Correlation): unknown {
  return {
    ...c,
    at: iso(c.at),
    vulnerabilities: c.vulnerabilities.map((r) => ({
      ...r,
      vulnerability: {
        ...r.vulnerability,
        published: iso(r.vulnerability.published),
        kev:
          r.vulnerability.kev === null
            ? null
            : {
                ...r.vulnerability.kev,
                date_added: iso(r.vulnerability.kev.date_added),
                due_date: r.vulnerability.kev.due_date === null ? null : iso(r.vulnerability.kev.due_date),
              },
      },
      exploits: r.exploits.map((x) => ({ ...x, published: iso(x.published) })),
    })),
    timeline: c.timeline.map((t) => ({ ...t, at: iso(t.at) })),
  };
}

export function intelRoutes(app: FastifyInstance, deps: IntelRouteDeps): void {
  app.get('/api/v1/ports/:proto/:port/intel', (request) => {
    const p = parseParams(params, request.params);
    const q = parseParams(query, request.query);
    return correlationView(deps.correlate(p.proto, p.port, q.at ?? deps.eventClock.now()));
  });
}
