/**
 * Small parsers shared by the importers and the curated data: dates, product names, CVE ids, keywords.
 * Each returns null (never throws) on input that is not of its form, so that the caller can count the record
 * as skipped with a reason.
 */

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** ISO date-time with an optional zone; NVD writes `2007-04-13T18:19:00.000` (UTC, no zone). */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;

export const CVE_ID = /^CVE-\d{4}-\d{4,19}$/;

/** 'YYYY-MM-DD' to ms at 00:00 UTC; null when it is not a real calendar date. */
export function parseDay(s: string): number | null {
  const m = DATE.exec(s.trim());
  if (m === null) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = Date.UTC(y, mo - 1, d);
  const back = new Date(t);
  return back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d ? t : null;
}

/** An ISO date or date-time (UTC when it has no zone) to ms; null otherwise. */
export function parseTime(s: string): number | null {
  const t = s.trim();
  if (DATE.test(t)) return parseDay(t);
  const m = DATE_TIME.exec(t);
  if (m === null) return null;
  const day = parseDay(`${m[1]}-${m[2]}-${m[3]}`);
  if (day === null || Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59) return null;
  const ms = Date.parse(m[7] === undefined ? `${t}Z` : t);
  return Number.isFinite(ms) ? ms : null;
}

/** One CPE name part in our product form: lower case, runs of other characters become '_'. */
export function productPart(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/** 'vendor:product' from two names (a KEV entry's vendorProject and product); null when one is empty. */
export function productOf(vendor: string, product: string): string | null {
  const v = productPart(vendor);
  const p = productPart(product);
  return v === '' || p === '' ? null : `${v}:${p}`;
}

/**
 * 'vendor:product' of a CPE 2.3 formatted string (`cpe:2.3:o:microsoft:windows_2000:*:sp4:...`); null when
 * it is not one. Escaped characters (`\:`) are kept as text.
 */
export function productOfCpe(cpe: string): string | null {
  if (!cpe.startsWith('cpe:2.3:')) return null;
  const parts = cpe.slice(8).split(/(?<!\\):/);
  if (parts.length < 3) return null;
  const [part, vendor, product] = parts as [string, string, string];
  if (!/^[aoh*-]$/.test(part) || vendor === '*' || product === '*' || vendor === '-' || product === '-')
    return null;
  return productOf(vendor.replace(/\\(.)/g, '$1'), product.replace(/\\(.)/g, '$1'));
}

/** Whether `text` contains `keyword` as whole words, case-insensitively ('RPC' matches "RPC interface", not "gRPC"). */
export function hasKeyword(text: string, keyword: string): boolean {
  const k = keyword.trim();
  if (k === '') return false;
  const esc = k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const start = /^\w/.test(k) ? '(?<![\\w])' : '';
  const end = /\w$/.test(k) ? '(?![\\w])' : '';
  return new RegExp(`${start}${esc}${end}`, 'i').test(text);
}

/** The first sentence of a text, at most `max` characters (an ellipsis when cut). */
export function firstSentence(text: string, max = 140): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const m = /^(.+?[.!?])(\s|$)/.exec(flat);
  const s = m?.[1] ?? flat;
  return s.length <= max ? s : `${s.slice(0, max - 1).trimEnd()}…`;
}
