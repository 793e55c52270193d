/**
 * Alerts, open ones first, newest first within each group. Each row shows the evidence an analyst needs
 * to judge the alert at a glance: observed against expected sources, the fold, the sensors that saw it,
 * the p-value and the detector's reason. Clicking a row (or Enter on it) selects its port.
 */
import type { Alert, AlertsResponse } from '../../../src/protocol/api-types.ts';
import { samePort, type PortRef } from '../api.ts';
import { fmtCount, fmtFold, fmtInt, fmtP, fmtTime } from '../format.ts';
import type { Poll } from '../usePoll.ts';
import { Panel } from './Panel.tsx';
import { SeverityBadge } from './SeverityBadge.tsx';

interface Props {
  poll: Poll<AlertsResponse>;
  selected: PortRef | null;
  onSelect: (p: PortRef) => void;
  /** Known services per "proto/port", from the top ports list. */
  services: ReadonlyMap<string, string[]>;
}

export function sortAlerts(items: readonly Alert[]): Alert[] {
  return [...items].sort(
    (a, b) =>
      Number(b.status === 'open') - Number(a.status === 'open') ||
      Date.parse(b.opened_at) - Date.parse(a.opened_at),
  );
}

export function AlertsPanel({ poll, selected, onSelect, services }: Props) {
  const items = poll.data ? sortAlerts(poll.data.items) : [];
  const open = items.filter((a) => a.status === 'open').length;
  return (
    <Panel
      title={
        <>
          Alerts{' '}
          {poll.data && (
            <span className="muted">
              {open} open · {items.length} total
            </span>
          )}
        </>
      }
      testId="alerts"
      className="area-alerts"
      loading={poll.loading}
      error={poll.error}
      hasData={poll.data !== undefined}
    >
      {items.length === 0 ? (
        <div className="state">No alerts. Every port is within its baseline.</div>
      ) : (
        <ul className="alert-list">
          {items.map((a) => (
            <AlertRow
              key={a.id}
              alert={a}
              selected={samePort(a, selected)}
              services={services.get(`${a.proto}/${a.port}`)}
              onSelect={() => onSelect({ proto: a.proto, port: a.port })}
            />
          ))}
        </ul>
      )}
    </Panel>
  );
}

function AlertRow(props: { alert: Alert; selected: boolean; services?: string[]; onSelect: () => void }) {
  const { alert: a, selected, services, onSelect } = props;
  const ev = a.evidence;
  return (
    <li
      className={`alert-row status-${a.status} ${selected ? 'selected' : ''}`}
      data-testid="alert-row"
      data-port={a.port}
      data-proto={a.proto}
      data-alert-id={a.id}
      data-status={a.status}
      tabIndex={0}
      role="button"
      aria-pressed={selected}
      onClick={onSelect}
      onKeyDown={(e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          onSelect();
        }
      }}
    >
      <div className="alert-line1">
        <SeverityBadge level={a.level} severity={a.severity} />
        <span className="alert-port mono">
          {a.proto}/{a.port}
        </span>
        {services && services.length > 0 && <span className="svc">{services.join(', ')}</span>}
        {a.status === 'resolved' && <span className="tag">resolved</span>}
        <span className="alert-time" title={`updated ${fmtTime(a.updated_at)}`}>
          opened {fmtTime(a.opened_at)}
        </span>
      </div>
      <div className="alert-metrics">
        <span>
          <em>sources</em> <b>{fmtInt(ev.sources.observed)}</b> vs {fmtCount(ev.sources.expected)} expected
        </span>
        <span className={ev.fold > 3 ? 'hot' : ''}>
          <b>{fmtFold(ev.fold)}</b>
        </span>
        <span>
          <em>sensors</em> <b>{fmtInt(ev.sensors.observed)}</b> vs {fmtCount(ev.sensors.expected)}
        </span>
        <span>
          <em>p</em> <b className="mono">{fmtP(ev.p_value)}</b>
        </span>
      </div>
      <div className="alert-reason">{ev.reason}</div>
    </li>
  );
}
