/**
 * GET /api/v1/sources/top and GET /api/v1/sources/{ip}: the per-(day, source) rollups over the last `days` UTC
 * days (today, by the event clock, included).
 *
 * Invariants: `days` is 1..retention.source_days (older days are not kept, so a longer window would silently
 * mean less); an address is accepted only as an IPv4 or IPv6 address and looked up in the canonical form the
 * sensors send (RFC 5952 for IPv6), so `2001:DB8::0:1` finds `2001:db8::1`.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { bucketStart } from '../../core/buckets.js';
import { isProtocol } from '../../core/event.js';
import { makeError } from '../../core/errors.js';
import type {
  SourceDay,
  SourcePort,
  SourceResponse,
  SourceSummary,
  TopSourcesResponse,
} from '../../protocol/api-types.js';
import { sourceTotals } from '../../store/source-totals.js';
import type { SourceDayRow, SourceTotals } from '../../store/store.js';
import type { ApiContext } from '../context.js';
import { intText, iso, parseParams } from '../query.js';

/** The data's licences (CC BY 4.0) ask for this credit, with DB-IP's link, wherever results are shown. */
export const GEO_ATTRIBUTION =
  'Country and AS: ip-location-db data (CC BY 4.0): IP Geolocation by DB-IP (https://db-ip.com), RouteViews ' +
  '(https://www.routeviews.org/), NRO (https://www.nro.net/)';

const DAY = 86_400_000;

const daysParam = (max: number, fallback: number) =>
  z
    .string()
    .regex(/^\d{1,4}$/, 'expected a whole number of days')
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(1, 'at least 1 day')
        .max(max, `at most ${max} days (retention.source_days: older days are not kept)`),
    )
    .default(Math.min(fallback, max));

/** The canonical text of an IPv4 or IPv6 address, or SW_BAD_REQUEST. */
export function canonicalAddress(text: string): string {
  if (text.length <= 15 && isIPv4(text)) return text;
  if (text.length <= 45 && isIPv6(text) && !text.includes('%')) {
    try {
      return new URL(`http://[${text}]/`).hostname.slice(1, -1);
    } catch {
      // fall through to the error
    }
  }
  throw makeError('SW_BAD_REQUEST', 'ip: expected an IPv4 or IPv6 address');
}

function ports(list: Array<[string, number]>): SourcePort[] {
  const out: SourcePort[] = [];
  for (const [key, events] of list) {
    const [proto, port] = key.split('/');
    if (isProtocol(proto) && port !== undefined) out.push({ proto, port: Number(port), events });
  }
  return out;
}

function summary(t: SourceTotals): SourceSummary {
  return {
    ip: t.src,
    days: t.days,
    events: t.events,
    ports: t.ports,
    sensors: t.sensors,
    operators: t.operators,
    first_seen: iso(t.first_seen),
    last_seen: iso(t.last_seen),
    country: t.country,
    asn: t.asn,
    as_name: t.as_name,
    top_ports: ports(t.top_ports),
  };
}

function dayOf(r: SourceDayRow): SourceDay {
  return {
    day: iso(r.day),
    events: r.events,
    ports: r.ports,
    sensors: r.sensors,
    operators: r.operators,
    first_seen: iso(r.first_seen),
    last_seen: iso(r.last_seen),
    country: r.country,
    asn: r.asn,
    as_name: r.as_name,
    top_ports: ports(r.top_ports),
  };
}

export function sourceRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const maxDays = ctx.config.retention.source_days;
  const topQuery = z.strictObject({ days: daysParam(maxDays, 1), limit: intText(1, 200).default(25) });
  const oneQuery = z.strictObject({ days: daysParam(maxDays, 7) });
  const window = (days: number): { from: number; to: number } => {
    const to = bucketStart(ctx.eventClock.now(), '1d') + DAY;
    return { from: to - days * DAY, to };
  };

  app.get('/api/v1/sources/top', (request): Promise<TopSourcesResponse> => {
    const q = parseParams(topQuery, request.query);
    const { from, to } = window(q.days);
    const items = ctx.store.topSources(from, to, q.limit).map(summary);
    return Promise.resolve({
      days: q.days,
      from: iso(from),
      to: iso(to),
      items,
      attribution: GEO_ATTRIBUTION,
    });
  });

  app.get('/api/v1/sources/:ip', (request): Promise<SourceResponse> => {
    const { ip } = parseParams(z.strictObject({ ip: z.string() }), request.params);
    const q = parseParams(oneQuery, request.query);
    const src = canonicalAddress(ip);
    const { from, to } = window(q.days);
    const rows = ctx.store.sourceHistory(src, from, to);
    return Promise.resolve({
      ip: src,
      days: q.days,
      from: iso(from),
      to: iso(to),
      summary: rows.length === 0 ? null : summary(sourceTotals(src, rows)),
      items: rows.map(dayOf),
      attribution: GEO_ATTRIBUTION,
    });
  });
}
