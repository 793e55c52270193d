/**
 * Display formatting. Every time is shown in UTC: the server clock may be virtual (the demo replays
 * April 2007), and analysts in several time zones compare notes by UTC. Relative times ("3 min ago") are
 * measured against the server's clock, never the browser's.
 */

const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** 1450 -> "1,450". */
export function fmtInt(n: number): string {
  return int.format(n);
}

/** A baseline or expected count: small ones keep one decimal ("0.4"), others are rounded ("30"). */
export function fmtCount(n: number | null): string {
  if (n === null) return '—';
  if (n > 0 && n < 10 && !Number.isInteger(n)) return n.toFixed(1);
  return int.format(n);
}

/** A ratio as a factor: 48.3 -> "×48", 2.46 -> "×2.5", null -> "—". */
export function fmtFold(x: number | null): string {
  if (x === null || !Number.isFinite(x)) return '—';
  return `×${x >= 10 ? int.format(x) : x.toFixed(1)}`;
}

/** A p-value in scientific notation: 3.2e-45 -> "3.2e-45"; 0 -> "< 1e-300". */
export function fmtP(p: number): string {
  if (p <= 0) return '< 1e-300';
  return p.toExponential(1).replace('e+', 'e');
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** "2007-04-13 14:05 UTC" (with seconds on request). Invalid input is shown as given. */
export function fmtTime(iso: string, seconds = false): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}${seconds ? `:${pad(d.getUTCSeconds())}` : ''}`;
  return `${date} ${time} UTC`;
}

/** "14:05" in UTC, for chart ticks; with the day ("13 Apr 14:05") when `withDay`. */
export function fmtClock(ms: number, withDay = false): string {
  const d = new Date(ms);
  const hm = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  if (!withDay) return hm;
  const month = d.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  return `${d.getUTCDate()} ${month} ${hm}`;
}

/** How long before `nowMs` the time `iso` was: "just now", "42 s ago", "7 min ago", "3 h ago", "2 d ago". */
export function fmtAgo(iso: string | null, nowMs: number): string {
  if (iso === null) return 'never';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const s = Math.round((nowMs - t) / 1000);
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}
