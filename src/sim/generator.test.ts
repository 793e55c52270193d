import { describe, expect, it } from 'vitest';
import { buildFleet, generateEvents } from './generator.js';
import { demoProfiles, demoTimeline } from './demo-scenario.js';

const DAY = 86_400_000;

function fleetDay(sensors: number, from: number, seed = 11) {
  const t = demoTimeline();
  const fleet = buildFleet(seed, sensors, demoProfiles(seed, t.outbreakAt));
  const events = [];
  for (let s = 0; s < sensors; s++) {
    // Two half-day chunks, as the live ticks would cut them.
    events.push(...generateEvents(fleet, seed, s, from, from + DAY / 2));
    events.push(...generateEvents(fleet, seed, s, from + DAY / 2, from + DAY));
  }
  return { t, events };
}

function port1025(events: ReturnType<typeof fleetDay>['events']) {
  const e = events.filter((x) => x.proto === 'tcp' && x.port === 1025);
  return { events: e.length, sources: new Set(e.map((x) => x.src)).size };
}

describe('simulated fleet', () => {
  it('keeps TCP/1025 at its 2007 normal level before the outbreak: ~30 sources, under 100 events a day', () => {
    const { t, events } = fleetDay(60, demoTimeline().backfillFrom);
    expect(events.every((e) => e.ts >= t.backfillFrom && e.ts < t.backfillFrom + DAY)).toBe(true);
    const p = port1025(events);
    expect(p.events).toBeLessThan(100);
    expect(p.events).toBeGreaterThan(60);
    expect(p.sources).toBeGreaterThanOrEqual(20);
    expect(p.sources).toBeLessThanOrEqual(30);
  });

  it('brings the outbreak to ~1,500 sources and over 8,000 events a day on many sensors', () => {
    const t = demoTimeline();
    const { events } = fleetDay(60, t.outbreakAt);
    const p = port1025(events);
    expect(p.events).toBeGreaterThan(8_000);
    expect(p.sources).toBeGreaterThan(1_350);
    expect(p.sources).toBeLessThan(1_600);
  });

  it('is heavy-tailed: telnet and SMB dominate, the long tail is quiet', () => {
    const { events } = fleetDay(60, demoTimeline().backfillFrom);
    const byKey = new Map<string, number>();
    for (const e of events) byKey.set(`${e.proto}/${e.port}`, (byKey.get(`${e.proto}/${e.port}`) ?? 0) + 1);
    const ranked = [...byKey.entries()].sort((a, b) => b[1] - a[1]);
    expect(
      ranked
        .slice(0, 2)
        .map(([k]) => k)
        .sort(),
    ).toEqual(['tcp/23', 'tcp/445']);
    expect(byKey.size).toBeGreaterThan(100);
    const median = ranked[Math.floor(ranked.length / 2)]?.[1] ?? 0;
    expect(median).toBeLessThan(20);
  });

  it('is deterministic for a seed', () => {
    const fleet = buildFleet(3, 5, demoProfiles(3, 0));
    expect(generateEvents(fleet, 3, 2, 0, 3_600_000)).toEqual(generateEvents(fleet, 3, 2, 0, 3_600_000));
  });
});
