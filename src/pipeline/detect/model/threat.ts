/**
 * The suggested threat level (normal, elevated, high, severe) from the active, notified, non-backfilled incidents,
 * with the reason in words. An analyst decides the published level (issue 6); this is the detector's suggestion.
 *
 * Rules: severe: three or more high incidents, or a high one seen by 10+ effective operators that doubles within
 * a day; high: any high; elevated: any medium, or three or more low; normal otherwise.
 */
import type { Incident, ThreatAssessment } from './types.js';

const label = (i: Incident): string => `${i.proto}/${i.port} (${i.level}, severity ${i.severity})`;

export function assessThreat(incidents: readonly Incident[]): ThreatAssessment {
  const live = incidents.filter(
    (i) => !i.backfilled && (i.status === 'open' || i.status === 'escalated' || i.status === 'cooling'),
  );
  const high = live.filter((i) => i.level === 'high');
  const medium = live.filter((i) => i.level === 'medium');
  const low = live.filter((i) => i.level === 'low');
  const fast = high.filter(
    (i) =>
      i.evidence.effective_operators >= 10 &&
      i.evidence.growth?.doubling_hours !== null &&
      i.evidence.growth !== null &&
      (i.evidence.growth.doubling_hours ?? Infinity) <= 24,
  );
  const ids = (xs: Incident[]): string[] => xs.map((i) => i.id);
  if (high.length >= 3 || fast.length > 0) {
    const why = fast.length > 0 ? fast : high;
    return {
      level: 'severe',
      reason:
        fast.length > 0
          ? `fast-growing broad activity: ${why.map(label).join(', ')}`
          : `${high.length} high incidents: ${high.map(label).join(', ')}`,
      incidents: ids(why),
    };
  }
  if (high.length > 0)
    return { level: 'high', reason: `high incident: ${high.map(label).join(', ')}`, incidents: ids(high) };
  if (medium.length > 0 || low.length >= 3) {
    const why = medium.length > 0 ? medium : low;
    return {
      level: 'elevated',
      reason: `${why.length} incident(s): ${why.map(label).join(', ')}`,
      incidents: ids(why),
    };
  }
  return {
    level: 'normal',
    reason: live.length === 0 ? 'no open incidents' : `${live.length} low incident(s)`,
    incidents: ids(live),
  };
}
