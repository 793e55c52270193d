/**
 * Background activity of the simulated fleet: heavy-tailed ports, fleet-wide rates per day.
 *
 * Numbers are shaped after public sensor-network summaries (DShield's top ports: SMB, telnet, SSH, HTTP, RDP,
 * MS SQL dominate; a long tail of high ports sees a few probes a day). `events_per_day` is across the whole
 * fleet; sources are drawn from a pool of `pool` addresses so that distinct sources per day stay realistic.
 */
import type { Protocol } from '../core/event.js';

export interface PortProfile {
  proto: Protocol;
  port: number;
  events_per_day: number;
  pool: number;
  /** Share of the fleet that sees this port at all (scanners rarely reach every sensor). */
  reach: number;
}

export const BACKGROUND: PortProfile[] = [
  { proto: 'tcp', port: 23, events_per_day: 30_000, pool: 8_000, reach: 1 },
  { proto: 'tcp', port: 445, events_per_day: 20_000, pool: 4_000, reach: 1 },
  { proto: 'tcp', port: 22, events_per_day: 15_000, pool: 2_500, reach: 1 },
  { proto: 'tcp', port: 80, events_per_day: 8_000, pool: 2_000, reach: 1 },
  { proto: 'tcp', port: 3389, events_per_day: 6_000, pool: 1_500, reach: 0.9 },
  { proto: 'tcp', port: 1433, events_per_day: 4_000, pool: 800, reach: 0.9 },
  { proto: 'tcp', port: 8080, events_per_day: 3_000, pool: 900, reach: 0.8 },
  { proto: 'icmp', port: 8, events_per_day: 3_000, pool: 1_500, reach: 1 },
  { proto: 'udp', port: 5060, events_per_day: 2_500, pool: 300, reach: 0.7 },
  { proto: 'tcp', port: 139, events_per_day: 2_000, pool: 600, reach: 0.8 },
  { proto: 'tcp', port: 2323, events_per_day: 2_000, pool: 1_500, reach: 0.7 },
  { proto: 'tcp', port: 135, events_per_day: 1_500, pool: 400, reach: 0.8 },
  { proto: 'udp', port: 53, events_per_day: 1_500, pool: 500, reach: 0.6 },
  { proto: 'tcp', port: 25, events_per_day: 1_200, pool: 300, reach: 0.6 },
  { proto: 'tcp', port: 5900, events_per_day: 1_000, pool: 300, reach: 0.6 },
  { proto: 'udp', port: 1434, events_per_day: 800, pool: 300, reach: 0.6 },
  // The port of the 2007 scenario, at its normal level: about 30 sources and under 100 events a day.
  { proto: 'tcp', port: 1025, events_per_day: 90, pool: 30, reach: 0.8 },
];

/** A long tail of quiet high ports, a few probes a day each. */
export function tailProfiles(count: number, pick: (n: number) => number): PortProfile[] {
  const out: PortProfile[] = [];
  const seen = new Set<number>([1025]);
  while (out.length < count) {
    const port = 1024 + pick(64_000);
    if (seen.has(port)) continue;
    seen.add(port);
    out.push({
      proto: pick(4) === 0 ? 'udp' : 'tcp',
      port,
      events_per_day: 2 + pick(10),
      pool: 5 + pick(20),
      reach: 0.5,
    });
  }
  return out;
}

/**
 * The April 2007 TCP/1025 outbreak, days after the Windows DNS Server RPC disclosure: about 1,500 sources and
 * more than 8,000 events a day, reaching most sensors.
 */
export const OUTBREAK_1025: PortProfile = {
  proto: 'tcp',
  port: 1025,
  events_per_day: 8_500,
  pool: 1_500,
  reach: 0.85,
};
