/**
 * A small typed client for the public JSON API (same origin, under /api/v1). The response shapes come
 * from the protocol types shared with the server, imported as types only: the dashboard never imports
 * server code, it only speaks HTTP.
 *
 * Every call rejects with an ApiError whose message is fit to show to the user as is ("server
 * unreachable", "HTTP 500: ..."); a call that gets no answer within the timeout counts as unreachable.
 */
import type {
  AlertsResponse,
  ErrorBody,
  HealthResponse,
  SensorsResponse,
  SeriesResponse,
  TopPortsResponse,
} from '../../src/protocol/api-types.ts';
import type { ThreatLevelResponse } from '../../src/protocol/incident-types.ts';

export type TopWindow = TopPortsResponse['window'];
export type Bucket = SeriesResponse['bucket'];
export type Proto = SeriesResponse['proto'];

const BASE = '/api/v1';
const TIMEOUT_MS = 4000;

export class ApiError extends Error {
  constructor(
    message: string,
    /** HTTP status; 0 when the server could not be reached. */
    readonly status: number,
    /** The server's error code (ErrorBody.code), when it sent one. */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

function isErrorBody(v: unknown): v is ErrorBody {
  return typeof v === 'object' && v !== null && typeof (v as ErrorBody).message === 'string';
}

/** GET a JSON document from the API. `path` starts after /api/v1, e.g. `/health`. */
export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const timeout = AbortSignal.timeout(TIMEOUT_MS);
  let res: Response;
  try {
    res = await fetch(BASE + path, {
      headers: { accept: 'application/json' },
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
  } catch (err) {
    if (signal?.aborted) throw err; // the caller gave up; not an error to show
    throw new ApiError('server unreachable', 0);
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    // A proxy's HTML error page, or an empty body: the API itself is not answering.
    throw new ApiError(
      res.ok ? 'invalid response from server' : `server unreachable (HTTP ${res.status})`,
      res.status,
    );
  }
  if (!res.ok) {
    if (isErrorBody(body)) throw new ApiError(`HTTP ${res.status}: ${body.message}`, res.status, body.code);
    throw new ApiError(`HTTP ${res.status}`, res.status);
  }
  return body as T;
}

export const api = {
  health: (signal?: AbortSignal) => getJson<HealthResponse>('/health', signal),
  alerts: (signal?: AbortSignal) => getJson<AlertsResponse>('/alerts', signal),
  threat: (signal?: AbortSignal) => getJson<ThreatLevelResponse>('/threat-level', signal),
  sensors: (signal?: AbortSignal) => getJson<SensorsResponse>('/sensors', signal),
  topPorts: (window: TopWindow, signal?: AbortSignal) =>
    getJson<TopPortsResponse>(`/ports/top?window=${window}`, signal),
  series: (
    q: { proto: Proto; port: number; bucket: Bucket; from: string; to: string },
    signal?: AbortSignal,
  ) => {
    const params = new URLSearchParams({ bucket: q.bucket, from: q.from, to: q.to });
    return getJson<SeriesResponse>(
      `/ports/${encodeURIComponent(q.proto)}/${q.port}/series?${params.toString()}`,
      signal,
    );
  },
};

/** A port key: what the panels select and the chart shows. */
export interface PortRef {
  proto: Proto;
  port: number;
}

export function samePort(a: PortRef | null | undefined, b: PortRef | null | undefined): boolean {
  return !!a && !!b && a.proto === b.proto && a.port === b.port;
}
