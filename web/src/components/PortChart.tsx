/**
 * Activity of the selected port over the last 24 h of server time: distinct sources (left axis) and
 * distinct sensors (right axis) per bucket. Buckets the server leaves out are drawn as zero, so a gap
 * never becomes a straight line across quiet hours. When the port has an alert, its opening time is
 * marked, and its expected number of sources is drawn as a dashed baseline when the alert was raised on
 * the bucket size shown (an hourly expectation drawn over 5-minute counts would mislead).
 */
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { Alert, SeriesPoint, SeriesResponse } from '../../../src/protocol/api-types.ts';
import type { Bucket, PortRef } from '../api.ts';
import { fmtClock, fmtCount, fmtInt } from '../format.ts';
import type { Poll } from '../usePoll.ts';
import { Panel } from './Panel.tsx';
import { Segmented } from './Segmented.tsx';

export const BUCKET_MS: Record<Bucket, number> = { '5m': 300_000, '1h': 3_600_000, '1d': 86_400_000 };
const BUCKETS: readonly Bucket[] = ['5m', '1h'];
const TICK_MS = 3 * 3_600_000;
const COLOR_SOURCES = '#2563eb';
const COLOR_SENSORS = '#0f9d76';
const COLOR_BASELINE = '#8a94a6';
/** Tooltip rows in the legend's order, not alphabetical. */
const SERIES_ORDER: Record<string, number> = { sources: 0, expected: 1, sensors: 2 };

interface Props {
  port: PortRef | null;
  /** True while the default port cannot be chosen yet (alerts and top ports not loaded). */
  pending: boolean;
  /** Why the default port cannot be chosen, when the alerts or top ports failed to load. */
  pendingError: string | undefined;
  services: string[] | undefined;
  /** The newest alert on this port, if any. */
  alert: Alert | undefined;
  poll: Poll<SeriesResponse>;
  bucket: Bucket;
  onBucket: (b: Bucket) => void;
}

interface Row {
  ts: number;
  sources: number;
  sensors: number;
  events: number;
}

/** The server's points plus a zero for every bucket starting in [from, to) it did not send, in time order. */
export function fillBuckets(
  items: readonly SeriesPoint[],
  fromMs: number,
  toMs: number,
  step: number,
): Row[] {
  const rows = new Map<number, Row>();
  for (const p of items) {
    const ts = Date.parse(p.t);
    rows.set(ts, { ts, sources: p.sources, sensors: p.sensors, events: p.events });
  }
  for (let ts = Math.floor(fromMs / step) * step; ts < toMs; ts += step) {
    if (!rows.has(ts)) rows.set(ts, { ts, sources: 0, sensors: 0, events: 0 });
  }
  return [...rows.values()].sort((a, b) => a.ts - b.ts);
}

function ticks(fromMs: number, toMs: number): number[] {
  const out: number[] = [];
  for (let t = Math.ceil(fromMs / TICK_MS) * TICK_MS; t <= toMs; t += TICK_MS) out.push(t);
  return out;
}

export function PortChart({ port, pending, pendingError, services, alert, poll, bucket, onBucket }: Props) {
  const title = port ? (
    <>
      Port activity{' '}
      <span className="mono" data-testid="chart-port">
        {port.proto}/{port.port}
      </span>
      {services && services.length > 0 && <span className="muted"> {services.join(', ')}</span>}
    </>
  ) : (
    'Port activity'
  );
  const data = poll.data;
  const fromMs = data ? Date.parse(data.from) : 0;
  const toMs = data ? Date.parse(data.to) : 0;
  const rows = data ? fillBuckets(data.items, fromMs, toMs, BUCKET_MS[data.bucket]) : [];
  const peak = rows.reduce<Row | undefined>(
    (m, r) => (m === undefined || r.sources > m.sources ? r : m),
    undefined,
  );
  const last = rows.at(-1);
  const alertMs = alert ? Date.parse(alert.opened_at) : NaN;
  const expected =
    alert && data && alert.evidence.granularity === data.bucket ? alert.evidence.sources.expected : undefined;
  const chartRows = expected === undefined ? rows : rows.map((r) => ({ ...r, expected }));

  return (
    <Panel
      title={title}
      testId="port-chart"
      className="area-chart"
      actions={
        <Segmented
          label="Bucket"
          options={BUCKETS}
          value={bucket}
          onChange={onBucket}
          testId="bucket-switch"
        />
      }
      loading={poll.loading || pending}
      error={poll.error ?? (port === null ? pendingError : undefined)}
      hasData={data !== undefined || (port === null && !pending)}
    >
      {port === null || !data ? (
        <div className="state">No port selected. Pick one in the alerts or the top ports.</div>
      ) : (
        <>
          <div className="chart-summary">
            <span>
              <em>peak</em> <b>{peak ? fmtInt(peak.sources) : '—'}</b> sources
              {peak && peak.sources > 0 ? ` at ${fmtClock(peak.ts, true)} UTC` : ''}
            </span>
            <span>
              <em>latest bucket</em> <b>{last ? fmtInt(last.sources) : '—'}</b> sources ·{' '}
              <b>{last ? fmtInt(last.sensors) : '—'}</b> sensors · <b>{last ? fmtInt(last.events) : '—'}</b>{' '}
              events
            </span>
            {alert && (
              <span>
                <em>baseline</em> <b>{fmtCount(alert.evidence.sources.expected)}</b> sources /{' '}
                {alert.evidence.granularity}
              </span>
            )}
          </div>
          <div className="chart-box">
            <ResponsiveContainer width="100%" height="100%">
              <LineChart data={chartRows} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
                <CartesianGrid stroke="#e5e9f0" vertical={false} />
                <XAxis
                  dataKey="ts"
                  type="number"
                  scale="time"
                  domain={[fromMs, toMs]}
                  ticks={ticks(fromMs, toMs)}
                  tickFormatter={(v: number) => fmtClock(v)}
                  tick={{ fontSize: 11, fill: '#5b6473' }}
                  stroke="#c7ced9"
                />
                <YAxis
                  yAxisId="sources"
                  allowDecimals={false}
                  tickFormatter={(v: number) => fmtInt(v)}
                  tick={{ fontSize: 11, fill: COLOR_SOURCES }}
                  stroke="#c7ced9"
                  width={52}
                />
                <YAxis
                  yAxisId="sensors"
                  orientation="right"
                  allowDecimals={false}
                  tick={{ fontSize: 11, fill: COLOR_SENSORS }}
                  stroke="#c7ced9"
                  width={40}
                />
                <Tooltip
                  labelFormatter={(l) => (typeof l === 'number' ? `${fmtClock(l, true)} UTC` : l)}
                  formatter={(v) => (typeof v === 'number' ? fmtCount(v) : String(v))}
                  itemSorter={(item) => SERIES_ORDER[String(item.dataKey)] ?? 9}
                  contentStyle={{ fontSize: 12, borderRadius: 6, borderColor: '#d5dbe4' }}
                />
                <Legend wrapperStyle={{ fontSize: 12 }} iconType="plainline" itemSorter={null} />
                {alert && alertMs >= fromMs && alertMs <= toMs && (
                  <ReferenceLine
                    yAxisId="sources"
                    x={alertMs}
                    stroke="#dc2626"
                    strokeDasharray="3 3"
                    label={{ value: 'alert', position: 'insideTopRight', fontSize: 11, fill: '#dc2626' }}
                  />
                )}
                <Line
                  yAxisId="sources"
                  type="monotone"
                  dataKey="sources"
                  name="distinct sources"
                  stroke={COLOR_SOURCES}
                  strokeWidth={2}
                  dot={false}
                  isAnimationActive={false}
                />
                {expected !== undefined && (
                  <Line
                    yAxisId="sources"
                    type="linear"
                    dataKey="expected"
                    name="expected sources (baseline)"
                    stroke={COLOR_BASELINE}
                    strokeDasharray="5 4"
                    strokeWidth={1.5}
                    dot={false}
                    activeDot={false}
                    isAnimationActive={false}
                  />
                )}
                <Line
                  yAxisId="sensors"
                  type="monotone"
                  dataKey="sensors"
                  name="distinct sensors (right axis)"
                  stroke={COLOR_SENSORS}
                  strokeWidth={1.5}
                  dot={false}
                  isAnimationActive={false}
                />
              </LineChart>
            </ResponsiveContainer>
          </div>
        </>
      )}
    </Panel>
  );
}
