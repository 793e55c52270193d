/**
 * Number and date wording for advisory text. Deterministic (no locale or time zone of the machine): the same
 * input always gives the same text, which the draft tests and the stored versions rely on.
 */

/** 1234567 → '1,234,567'. */
export function int(n: number): string {
  const s = String(Math.round(Math.abs(n)));
  return `${n < 0 ? '-' : ''}${s.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}`;
}

/** A count or rate with at most `digits` decimals and no trailing zeros: 3.50 → '3.5', 12 → '12'. */
export function dec(x: number, digits = 1): string {
  if (!Number.isFinite(x)) return String(x);
  if (Math.abs(x) >= 1000) return int(x);
  return String(Number(x.toFixed(digits)));
}

/** 0.823 → '82%'; values under 1% keep one decimal. */
export function pct(share: number): string {
  const p = share * 100;
  return `${p > 0 && p < 1 ? p.toFixed(1) : Math.round(p)}%`;
}

/** A p-value: 0.0012 → '0.0012', 3.2e-9 → '3.2e-9'. */
export function pValue(p: number): string {
  if (p >= 0.001) return String(Number(p.toPrecision(2)));
  const [m, e] = p.toExponential(1).split('e');
  return `${Number(m)}e${Number(e)}`;
}

/** 'YYYY-MM-DD' (UTC). */
export const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** 'YYYY-MM-DD HH:MM UTC'. */
export const minute = (ms: number): string =>
  `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

export const iso = (ms: number): string => new Date(ms).toISOString();

/** Hours as words: 0.5 → '30 minutes', 1 → '1 hour', 36 → '36 hours', 72 → '3 days'. */
export function duration(hours: number): string {
  if (hours < 1) return `${Math.round(hours * 60)} minutes`;
  if (hours < 48) return `${dec(hours)} hour${hours === 1 ? '' : 's'}`;
  return `${dec(hours / 24)} days`;
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export const daysBetween = (from: number, to: number): number => Math.floor((to - from) / 86_400_000);

/** 'TCP/1025'. */
export const key = (proto: string, port: number): string => `${proto.toUpperCase()}/${port}`;

/** Makes a value safe inside a Markdown table cell or a one-line list item. */
export const cell = (s: string): string => s.replace(/[\r\n]+/g, ' ').replace(/\|/g, '\\|');
