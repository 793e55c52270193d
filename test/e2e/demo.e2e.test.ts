/**
 * `stormwatch demo` (what `npm start` runs) raises the TCP/1025 alert by itself, visible in the API and on the
 * dashboard page. The time limit is a safety net, not a benchmark.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertsResponse, TopPortsResponse } from '../../src/protocol/api-types.js';
import type { IncidentView, ThreatLevelResponse } from '../../src/protocol/incident-types.js';
import { getJson, pollUntil, startCli } from './cli.js';
import type { Running } from './cli.js';

const CHROMIUM = '/usr/bin/chromium';

describe('demo', () => {
  let demo: Running;
  let url = '';
  const dir = mkdtempSync(join(tmpdir(), 'sw-demo-'));

  beforeAll(async () => {
    demo = startCli(['demo', '--port', '0', '--data', join(dir, 'data')]);
    const m = await demo.waitFor(/Dashboard: (http:\/\/\S+?)\/?\n/, 90_000);
    url = m[1] ?? '';
  }, 120_000);

  afterAll(async () => {
    await demo?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('raises the TCP/1025 alert with its evidence within two minutes', async () => {
    const alert = await pollUntil(
      async () => {
        const { items } = await getJson<AlertsResponse>(`${url}/api/v1/alerts`);
        return items.find((a) => a.proto === 'tcp' && a.port === 1025);
      },
      120_000,
      'a tcp/1025 alert',
    );
    expect(alert.severity).toBeGreaterThan(0);
    expect(alert.evidence.sources.observed).toBeGreaterThan(3 * alert.evidence.sources.expected);
    expect(alert.evidence.sensors.observed).toBeGreaterThanOrEqual(3);
    expect(alert.evidence.p_value).toBeLessThan(1e-6);
    // The outbreak starts at 07:00 virtual time on 15 April 2007: the alert cannot predate it.
    expect(Date.parse(alert.opened_at)).toBeGreaterThanOrEqual(Date.parse('2007-04-15T07:00:00Z'));
    // Background ports with steady traffic do not alert.
    const { items } = await getJson<AlertsResponse>(`${url}/api/v1/alerts`);
    expect(items.filter((a) => a.proto === 'tcp' && [23, 445, 22].includes(a.port))).toEqual([]);
    // The whole incident explains itself, and the suggested threat level follows it.
    const incident = await getJson<IncidentView>(`${url}/api/v1/incidents/${alert.id}`);
    expect(incident.evidence.gates.every((g) => g.passed)).toBe(true);
    expect(incident.evidence.operators).toBeGreaterThanOrEqual(3);
    // Where the sources come from, from the port rows' source samples (a simulated fleet's sources are public
    // addresses; the demo's geo tables name their countries).
    expect(incident.evidence.top_networks.length).toBeGreaterThan(0);
    expect(incident.evidence.top_networks[0]?.network).toMatch(/\/(24|48)$/);
    expect(incident.evidence.top_countries.length).toBeGreaterThan(0);
    expect(incident.backfilled).toBe(false);
    const threat = await getJson<ThreatLevelResponse>(`${url}/api/v1/threat-level`);
    expect(threat.level).not.toBe('normal');
    expect(threat.incidents).toContain(alert.id);
    const top = await getJson<TopPortsResponse>(`${url}/api/v1/ports/top?window=1h`);
    expect(top.items.some((p) => p.proto === 'tcp' && p.port === 1025)).toBe(true);
  }, 150_000);

  it.skipIf(!existsSync(CHROMIUM))(
    'shows the alert on the dashboard page',
    async () => {
      const { chromium } = await import('playwright-core');
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      });
      try {
        const page = await browser.newPage();
        await page.goto(`${url}/`);
        const row = page.locator('[data-testid="alert-row"][data-port="1025"]');
        await row.first().waitFor({ timeout: 30_000 });
        expect(await row.count()).toBeGreaterThan(0);
        await page.locator('[data-testid="port-chart"]').waitFor({ timeout: 10_000 });
        const level = page.locator('[data-testid="threat-level"]');
        await pollUntil(
          async () => {
            const text = await level.textContent();
            return text !== null && !['—', 'normal'].includes(text) ? text : undefined;
          },
          10_000,
          'the threat level on the page',
        );
        expect(['elevated', 'high', 'severe']).toContain(await level.textContent());
      } finally {
        await browser.close();
      }
    },
    60_000,
  );
});
