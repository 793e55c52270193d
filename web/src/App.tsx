/**
 * The dashboard page. It polls the public API every 5 s (each panel on its own, so one failing endpoint
 * leaves the others readable) and keeps the only cross-panel state: the selected port, the top-ports
 * window and the chart bucket.
 *
 * "Now" is always the server's clock (health.now), never the browser's: the demo runs on a compressed
 * virtual clock in April 2007. Until the user picks a port, the chart follows the newest open alert (else
 * the newest alert, else the top port).
 */
import { useMemo, useState } from 'react';
import type { Alert } from '../../src/protocol/api-types.ts';
import { api, type Bucket, type PortRef, type TopWindow } from './api.ts';
import { AlertsPanel } from './components/AlertsPanel.tsx';
import { Header } from './components/Header.tsx';
import { BUCKET_MS, PortChart } from './components/PortChart.tsx';
import { SensorsPanel } from './components/SensorsPanel.tsx';
import { TopPortsTable } from './components/TopPortsTable.tsx';
import { fmtTime } from './format.ts';
import { usePoll } from './usePoll.ts';

const REFRESH_MS = 5000;
const CHART_SPAN_MS = 24 * 3_600_000;

const portKey = (p: PortRef): string => `${p.proto}/${p.port}`;

function newest(alerts: readonly Alert[]): Alert | undefined {
  return alerts.reduce<Alert | undefined>(
    (m, a) => (m === undefined || Date.parse(a.opened_at) > Date.parse(m.opened_at) ? a : m),
    undefined,
  );
}

export function App() {
  const [topWindow, setTopWindow] = useState<TopWindow>('1h');
  const [bucket, setBucket] = useState<Bucket>('5m');
  const [picked, setPicked] = useState<PortRef | null>(null);

  const health = usePoll('health', api.health, REFRESH_MS);
  const alerts = usePoll('alerts', api.alerts, REFRESH_MS);
  const threat = usePoll('threat', api.threat, REFRESH_MS);
  const sensors = usePoll('sensors', api.sensors, REFRESH_MS);
  const top = usePoll(`top/${topWindow}`, (s) => api.topPorts(topWindow, s), REFRESH_MS);

  const nowIso = health.data?.now;
  const nowMs = nowIso ? Date.parse(nowIso) : undefined;

  const alertItems = useMemo(() => alerts.data?.items ?? [], [alerts.data]);
  const openAlerts = useMemo(() => alertItems.filter((a) => a.status === 'open'), [alertItems]);

  const fallback: PortRef | null = useMemo(() => {
    const a = newest(openAlerts) ?? newest(alertItems);
    if (a) return { proto: a.proto, port: a.port };
    const t = top.data?.items[0];
    return t ? { proto: t.proto, port: t.port } : null;
  }, [openAlerts, alertItems, top.data]);
  const selected = picked ?? fallback;
  // The default cannot be decided until the alerts (and, if there are none, the top ports) have loaded.
  const pending = picked === null && fallback === null && (!alerts.data || !top.data);
  const pendingError = pending ? (alerts.error ?? top.error) : undefined;

  // The poll loop always calls the latest loader, so each refresh asks for the 24 h ending at the latest
  // server time without restarting the loop; only a new port or bucket does that.
  const loadSeries = (signal: AbortSignal) => {
    if (!selected || nowMs === undefined) return Promise.reject(new Error('no port selected'));
    const step = BUCKET_MS[bucket];
    const from = Math.floor((nowMs - CHART_SPAN_MS) / step) * step;
    // Only closed buckets: the one still filling would draw a misleading drop at the right edge.
    const to = Math.floor(nowMs / step) * step;
    return api.series(
      {
        proto: selected.proto,
        port: selected.port,
        bucket,
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
      },
      signal,
    );
  };
  const series = usePoll(
    selected && nowMs !== undefined ? `${portKey(selected)}/${bucket}` : null,
    loadSeries,
    REFRESH_MS,
  );

  const services = useMemo(() => {
    const m = new Map<string, string[]>();
    for (const p of top.data?.items ?? []) m.set(portKey(p), p.services);
    return m;
  }, [top.data]);
  const alerting = useMemo(() => new Set(openAlerts.map(portKey)), [openAlerts]);
  const selectedAlert = selected
    ? newest(alertItems.filter((a) => a.proto === selected.proto && a.port === selected.port))
    : undefined;

  return (
    <div className="app">
      <Header
        health={health.data}
        healthError={health.error}
        openAlerts={alerts.data ? openAlerts.length : undefined}
        threat={threat.data}
      />
      {health.error && (
        <div className="banner" role="alert" data-testid="server-unreachable">
          <strong>{health.error}.</strong>{' '}
          {nowIso
            ? `Showing the last data received (server time ${fmtTime(nowIso, true)}).`
            : 'No data received yet.'}{' '}
          Retrying every 5 s.
        </div>
      )}
      <main className="layout">
        <AlertsPanel poll={alerts} selected={selected} onSelect={setPicked} services={services} />
        <PortChart
          port={selected}
          pending={pending}
          pendingError={pendingError}
          services={selected ? services.get(portKey(selected)) : undefined}
          alert={selectedAlert}
          poll={series}
          bucket={bucket}
          onBucket={setBucket}
        />
        <TopPortsTable
          poll={top}
          window={topWindow}
          onWindow={setTopWindow}
          selected={selected}
          onSelect={setPicked}
          alerting={alerting}
        />
        <SensorsPanel poll={sensors} nowMs={nowMs} />
      </main>
      <footer className="footer">
        Stormwatch dashboard · public API <code>/api/v1</code> · refreshes every 5 s · all times UTC
      </footer>
    </div>
  );
}
