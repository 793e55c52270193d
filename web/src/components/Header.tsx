/** The page header: name, server clock (virtual in the demo), suggested threat level, open alert count and
 * connection state. */
import type { HealthResponse } from '../../../src/protocol/api-types.ts';
import type { ThreatLevelResponse } from '../../../src/protocol/incident-types.ts';
import { fmtTime } from '../format.ts';

interface Props {
  health: HealthResponse | undefined;
  healthError: string | undefined;
  openAlerts: number | undefined;
  /** The detector's suggested threat level (an analyst's decision comes later). */
  threat: ThreatLevelResponse | undefined;
}

export function Header({ health, healthError, openAlerts, threat }: Props) {
  const online = health !== undefined && healthError === undefined;
  return (
    <header className="topbar">
      <div className="brand">
        <svg viewBox="0 0 16 16" width="22" height="22" aria-hidden="true">
          <path d="M9 0 2 9h5l-1 7 7-9H8z" fill="#d97706" />
        </svg>
        <h1>Stormwatch</h1>
        <span className="brand-sub">attack-sensor early warning</span>
      </div>
      <div className="topbar-right">
        <div className="kv">
          <span className="kv-label">Server time</span>
          <span className="kv-value mono" data-testid="server-time">
            {health ? fmtTime(health.now, true) : '—'}
          </span>
        </div>
        <div className="kv" title={threat?.reason}>
          <span className="kv-label">Threat level</span>
          <span className={`kv-value threat threat-${threat?.level ?? 'unknown'}`} data-testid="threat-level">
            {threat?.level ?? '—'}
          </span>
        </div>
        <div className="kv">
          <span className="kv-label">Open alerts</span>
          <span className={`kv-value count ${openAlerts ? 'count-hot' : ''}`} data-testid="open-alert-count">
            {openAlerts ?? '—'}
          </span>
        </div>
        <div
          className={`conn ${online ? 'conn-ok' : health ? 'conn-stale' : 'conn-down'}`}
          data-testid="connection"
        >
          <span className="dot" aria-hidden="true" />
          {health && online
            ? `live${health.version ? ` · v${health.version}` : ''}`
            : healthError
              ? 'server unreachable'
              : 'connecting…'}
        </div>
      </div>
    </header>
  );
}
