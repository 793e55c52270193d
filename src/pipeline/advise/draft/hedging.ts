/**
 * The hedged statements of an advisory: what we observe (numbers from the evidence), what we have NOT confirmed,
 * and how the timing of known disclosures and exploits relates to the activity; and the confidence sentence,
 * whose words are tied to numbers (operators who saw it, handshake share).
 *
 * Rules of wording (docs/ADVISORIES.md "Hedging"):
 * - "We observe" only for what the sensors measured. A link to a vulnerability is never stated as fact: every
 *   linked CVE gets "we have not confirmed that this activity exploits it".
 * - Timing "matches" only when the disclosure, KEV listing or exploit came at most TIMING_MATCH_DAYS before the
 *   activity began; otherwise the text says the timing alone does not link them.
 */
import type { Incident } from '../../../protocol/incident-types.js';
import type { Correlation, RankedVulnerability } from '../../../protocol/intel-types.js';
import { dec, day, daysBetween, duration, int, key, minute, pct, pValue } from './format.js';

export const TIMING_MATCH_DAYS = 30;
/** How many linked vulnerabilities the text names (all are in the structured fields). */
export const NAMED_VULNERABILITIES = 3;

/** Confidence words from breadth (effective operators) and the handshake share. */
export function confidenceWords(incident: Incident): string {
  const e = incident.evidence;
  const breadth =
    e.effective_operators >= 10
      ? `broad: seen by ${int(e.operators)} independent operators (${dec(e.effective_operators)} effective)`
      : e.effective_operators >= 3
        ? `moderate breadth: seen by ${int(e.operators)} operators (${dec(e.effective_operators)} effective)`
        : `narrow: seen by only ${int(e.operators)} operator(s) (${dec(e.effective_operators)} effective), so one network's view could explain it`;
  const hs = e.handshake_share;
  const handshake =
    hs === null
      ? 'the sensors do not tell whether sources completed a handshake, so spoofed sources cannot be ruled out'
      : hs >= 0.5
        ? `${pct(hs)} of sources completed a TCP handshake, so most are real, reachable hosts`
        : hs >= 0.1
          ? `only ${pct(hs)} of sources completed a TCP handshake; the rest may be SYN-only scanning or spoofed`
          : `almost no source completed a TCP handshake (${pct(hs)}): this looks like SYN-only scanning or spoofed traffic`;
  return `Confidence ${incident.confidence.label}: ${breadth}; ${handshake}.`;
}

export function observedStatements(incident: Incident, now: number): string[] {
  const e = incident.evidence;
  const k = key(incident.proto, incident.port);
  // evidence.bucket is the START of the window's last bucket.
  const bucketMs = (e.granularity === '1h' ? 60 : 5) * 60_000;
  const hours = (e.window * bucketMs) / 3_600_000;
  const out = [
    `We observe ${int(e.observed)} distinct sources scanning ${k} in the ${duration(hours)} ending ${minute(e.bucket + bucketMs)}, ` +
      `against about ${int(e.expected)} expected (99% range ${int(e.interval[0])}-${int(e.interval[1])}): ${dec(e.fold)} times the normal level.`,
    `They were seen by ${int(e.sensors)} sensors (about ${dec(e.expected_sensors)} usually see this port) of ${int(e.operators)} operators, ` +
      `and sent ${int(e.events.observed)} events against about ${int(e.events.expected)} expected.`,
    `The activity began around ${minute(incident.first_seen)}, ${duration(Math.max(0, now - incident.first_seen) / 3_600_000)} before this advisory.`,
  ];
  if (e.growth)
    out.push(
      e.growth.doubling_hours !== null
        ? `The number of sources grows by about ${dec(e.growth.slope_per_hour)} per hour and doubles every ${duration(e.growth.doubling_hours)}.`
        : `The number of sources changes by about ${dec(e.growth.slope_per_hour)} per hour and is not doubling.`,
    );
  out.push(
    `The ${e.test === 'cusum' ? 'trend (CUSUM)' : e.test === 'new_port' ? 'new-port' : 'spike'} test fired with p = ${pValue(e.p_value)} ` +
      `(threshold ${pValue(e.alpha)}).`,
  );
  return out;
}

const named = (c: Correlation | null): RankedVulnerability[] =>
  (c?.vulnerabilities ?? []).slice(0, NAMED_VULNERABILITIES);

export function notConfirmedStatements(incident: Incident, correlation: Correlation | null): string[] {
  const k = key(incident.proto, incident.port);
  const out: string[] = [];
  const hs = incident.evidence.handshake_share;
  out.push(
    hs !== null && hs > 0
      ? `We see connections and their metadata, not their payloads: we cannot say what the sources send to ${k}.`
      : `We see connection attempts, not payloads: we cannot say what the sources would send to ${k}.`,
  );
  const services = correlation?.services ?? [];
  if (services.length > 0) {
    const list = services
      .slice(0, 3)
      .map((s) => `${s.description} (${s.name})`)
      .join('; ');
    out.push(`We have not confirmed which software the sources look for; ${k} is commonly used by: ${list}.`);
  } else out.push(`We have not identified which software the sources look for on ${k}.`);
  const vulns = named(correlation);
  if (vulns.length === 0) out.push('We have not linked this activity to a known vulnerability.');
  for (const v of vulns)
    out.push(
      `We have not confirmed that this activity exploits ${v.vulnerability.id} (${v.vulnerability.title}).`,
    );
  return out;
}

/** How an event (disclosure, KEV listing, exploit) at `at` relates to the activity that began at `start`. */
export function relation(what: string, at: number, start: number): string {
  const d = daysBetween(at, start);
  if (at > start) return `${what} on ${day(at)}, after the activity began`;
  const before =
    d === 0
      ? 'less than a day before the activity began'
      : `${d} day${d === 1 ? '' : 's'} before the activity began`;
  if (d <= TIMING_MATCH_DAYS) return `the timing matches ${what} on ${day(at)}, ${before}`;
  return `${what} on ${day(at)}, ${d} days before the activity began; the timing alone does not link them`;
}

export function timingStatements(incident: Incident, correlation: Correlation | null): string[] {
  const start = incident.first_seen;
  const out: string[] = [];
  for (const v of named(correlation)) {
    const parts = [relation('its disclosure', v.vulnerability.published, start)];
    if (v.vulnerability.kev)
      parts.push(relation('its listing as known exploited', v.vulnerability.kev.date_added, start));
    const latest = [...v.exploits].sort((a, b) => b.published - a.published)[0];
    if (latest) parts.push(relation(`the publication of exploit ${latest.id}`, latest.published, start));
    out.push(`${v.vulnerability.id}: ${parts.join('; ')}.`);
  }
  return out;
}
