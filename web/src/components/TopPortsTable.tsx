/**
 * The top ports over the last hour or day, in the server's order (distinct sources, descending), with
 * the change against the baseline. A change above ×3 is shown in red; ports with an open alert carry a
 * red dot. Clicking a row selects the port.
 */
import type { TopPortsResponse } from '../../../src/protocol/api-types.ts';
import { samePort, type PortRef, type TopWindow } from '../api.ts';
import { fmtCount, fmtFold, fmtInt } from '../format.ts';
import type { Poll } from '../usePoll.ts';
import { Panel } from './Panel.tsx';
import { Segmented } from './Segmented.tsx';

const WINDOWS: readonly TopWindow[] = ['1h', '24h'];
/** Above this change against the baseline a port is highlighted. */
const HOT_CHANGE = 3;

interface Props {
  poll: Poll<TopPortsResponse>;
  window: TopWindow;
  onWindow: (w: TopWindow) => void;
  selected: PortRef | null;
  onSelect: (p: PortRef) => void;
  /** "proto/port" keys with an open alert. */
  alerting: ReadonlySet<string>;
}

export function TopPortsTable({ poll, window, onWindow, selected, onSelect, alerting }: Props) {
  const items = poll.data?.items ?? [];
  return (
    <Panel
      title={
        <>
          Top ports <span className="muted">last {window}, by distinct sources</span>
        </>
      }
      testId="top-ports"
      className="area-top"
      actions={
        <Segmented
          label="Window"
          options={WINDOWS}
          value={window}
          onChange={onWindow}
          testId="window-switch"
        />
      }
      loading={poll.loading}
      error={poll.error}
      hasData={poll.data !== undefined}
    >
      {items.length === 0 ? (
        <div className="state">No activity in this window.</div>
      ) : (
        <div className="table-scroll">
          <table className="grid">
            <thead>
              <tr>
                <th>Port</th>
                <th>Proto</th>
                <th>Services</th>
                <th className="num">Sources</th>
                <th className="num">Events</th>
                <th className="num">Sensors</th>
                <th className="num" title="distinct sources in the window before, scaled">
                  Baseline
                </th>
                <th className="num">Change</th>
              </tr>
            </thead>
            <tbody>
              {items.map((p) => {
                const key = `${p.proto}/${p.port}`;
                const isSel = samePort(p, selected);
                return (
                  <tr
                    key={key}
                    data-testid="top-port-row"
                    data-port={p.port}
                    data-proto={p.proto}
                    className={isSel ? 'selected' : ''}
                    tabIndex={0}
                    aria-selected={isSel}
                    onClick={() => onSelect({ proto: p.proto, port: p.port })}
                    onKeyDown={(e) => {
                      if (e.key === 'Enter' || e.key === ' ') {
                        e.preventDefault();
                        onSelect({ proto: p.proto, port: p.port });
                      }
                    }}
                  >
                    <td className="mono strong">
                      {p.port}
                      {alerting.has(key) && <span className="alert-dot" title="open alert" />}
                    </td>
                    <td className="mono">{p.proto}</td>
                    <td className="svc-cell">{p.services.length ? p.services.join(', ') : '—'}</td>
                    <td className="num strong">{fmtInt(p.sources)}</td>
                    <td className="num">{fmtInt(p.events)}</td>
                    <td className="num">{fmtInt(p.sensors)}</td>
                    <td className="num muted">{fmtCount(p.baseline_sources)}</td>
                    <td className={`num ${p.change !== null && p.change > HOT_CHANGE ? 'hot strong' : ''}`}>
                      {fmtFold(p.change)}
                    </td>
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
