/**
 * The sensor fleet at a glance: how many sensors, how many were heard from in the last hour of server
 * time, and the ten most recently seen.
 */
import type { SensorInfo, SensorsResponse } from '../../../src/protocol/api-types.ts';
import { fmtAgo, fmtInt, fmtTime } from '../format.ts';
import type { Poll } from '../usePoll.ts';
import { Panel } from './Panel.tsx';

const HOUR_MS = 3_600_000;
const SHOWN = 10;

interface Props {
  poll: Poll<SensorsResponse>;
  /** Server time, ms since epoch; undefined until the server answered once. */
  nowMs: number | undefined;
}

function lastSeenMs(s: SensorInfo): number {
  return s.last_seen === null ? -Infinity : Date.parse(s.last_seen);
}

export function SensorsPanel({ poll, nowMs }: Props) {
  const items = poll.data?.items ?? [];
  // Recency is measured on the server's clock (virtual in the demo), never the browser's.
  const now = nowMs ?? NaN;
  const isFresh = (s: SensorInfo): boolean => !s.revoked && now - lastSeenMs(s) <= HOUR_MS;
  const recent = items.filter(isFresh).length;
  const revoked = items.filter((s) => s.revoked).length;
  const shown = [...items].sort((a, b) => lastSeenMs(b) - lastSeenMs(a)).slice(0, SHOWN);
  return (
    <Panel
      title="Sensors"
      testId="sensors"
      className="area-sensors"
      loading={poll.loading}
      error={poll.error}
      hasData={poll.data !== undefined}
    >
      <div className="stats">
        <div className="stat">
          <span className="stat-value" data-testid="sensor-count">
            {fmtInt(items.length)}
          </span>
          <span className="stat-label">sensors</span>
        </div>
        <div className="stat">
          <span className="stat-value" data-testid="sensor-recent">
            {nowMs === undefined ? '—' : fmtInt(recent)}
          </span>
          <span className="stat-label">seen in the last hour</span>
        </div>
        {revoked > 0 && (
          <div className="stat">
            <span className="stat-value muted">{fmtInt(revoked)}</span>
            <span className="stat-label">revoked</span>
          </div>
        )}
      </div>
      {shown.length === 0 ? (
        <div className="state">No sensor has enrolled yet.</div>
      ) : (
        <div className="table-scroll-x">
          <table className="grid compact">
            <thead>
              <tr>
                <th>Sensor</th>
                <th>Operator</th>
                <th>Last seen</th>
                <th className="num">Events</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((s) => {
                const fresh = isFresh(s);
                return (
                  <tr key={s.id} data-testid="sensor-row" className={s.revoked ? 'revoked' : ''}>
                    <td title={s.id}>
                      <span className={`dot ${fresh ? 'dot-ok' : 'dot-off'}`} aria-hidden="true" />
                      {s.name || s.id}
                    </td>
                    <td className="muted">{s.operator}</td>
                    <td title={s.last_seen ? fmtTime(s.last_seen, true) : 'never'}>
                      {s.revoked
                        ? 'revoked'
                        : nowMs === undefined
                          ? fmtTime(s.last_seen ?? 'never')
                          : fmtAgo(s.last_seen, now)}
                    </td>
                    <td className="num">{fmtInt(s.events_total)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </Panel>
  );
}
