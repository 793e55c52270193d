/**
 * Time stamps in front of netfilter lines, parsed from bytes without allocating:
 * - classic BSD syslog (RFC 3164 4.1.2) `Mmm dd HH:MM:SS` (day space-padded or not, optional .fraction): it has
 *   neither year nor zone, so the year is the one of the sensor clock, one less when that would put the line more
 *   than a day in the future (a December line read in January); the zone is the configured one;
 * - RFC 3339 / RFC 5424 `YYYY-MM-DDTHH:MM:SS[.frac](Z|+hh:mm)` (rsyslog high precision), zone-less accepted;
 * - Proxmox pvefw-logger `dd/Mon/yyyy:HH:MM:SS +zzzz` after `<vmid> <level> <chain> `;
 * - Unix epoch seconds `1700000000[.frac] ` (rsyslog date-unixtimestamp, DShield sensors).
 * Invariant: `parse` returns the index just after the stamp and leaves the time in `ts`, or returns -1 and
 * leaves `ts` untouched. Date arithmetic runs once per (hour) via one-entry caches, not per line.
 */
export type TimeZoneMode = 'utc' | 'local';

/** Stamps of earlier years are damage, not data (and Date.UTC reads years 0-99 as 1900-1999). */
export const MIN_YEAR = 1990;

const DAY_MS = 86_400_000;
const SP = 32;

function digit(c: number | undefined): number {
  return c !== undefined && c >= 48 && c <= 57 ? c - 48 : -1;
}

/** Reads `n` decimal digits at `p`, or -1. */
function num(buf: Uint8Array, p: number, n: number): number {
  let v = 0;
  for (let i = 0; i < n; i++) {
    const d = digit(buf[p + i]);
    if (d < 0) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** Month 0-11 from three letters (any case), or -1. */
function month(buf: Uint8Array, p: number): number {
  const k = (((buf[p] ?? 0) | 32) << 16) | (((buf[p + 1] ?? 0) | 32) << 8) | ((buf[p + 2] ?? 0) | 32);
  switch (k) {
    case 0x6a616e:
      return 0; // jan
    case 0x666562:
      return 1; // feb
    case 0x6d6172:
      return 2; // mar
    case 0x617072:
      return 3; // apr
    case 0x6d6179:
      return 4; // may
    case 0x6a756e:
      return 5; // jun
    case 0x6a756c:
      return 6; // jul
    case 0x617567:
      return 7; // aug
    case 0x736570:
      return 8; // sep
    case 0x6f6374:
      return 9; // oct
    case 0x6e6f76:
      return 10; // nov
    case 0x646563:
      return 11; // dec
    default:
      return -1;
  }
}

/** Reads an optional ".digits" fraction at `p` into `frac.ms`; returns the index after it. */
function fraction(buf: Uint8Array, p: number, end: number, frac: { ms: number }): number {
  frac.ms = 0;
  if (p >= end || buf[p] !== 46) return p;
  let q = p + 1;
  let scale = 100;
  while (q < end) {
    const d = digit(buf[q]);
    if (d < 0) break;
    frac.ms += d * scale;
    scale = Math.floor(scale / 10);
    q++;
  }
  return q === p + 1 ? p : q;
}

function validTime(h: number, mi: number, s: number): boolean {
  return h >= 0 && h <= 23 && mi >= 0 && mi <= 59 && s >= 0 && s <= 60;
}

export class StampParser {
  /** The time of the last successful parse, ms since the epoch. */
  ts = 0;
  private readonly frac = { ms: 0 };
  private hourKey = NaN;
  private hourBase = 0;
  private yearFrom = 0;
  private yearTo = -1;
  private year = 0;
  private classicKey = NaN;
  private classicThis = 0;
  private classicPrev = 0;

  constructor(private readonly zone: TimeZoneMode) {}

  /** Tries every known stamp at `p`. */
  parse(buf: Uint8Array, p: number, end: number, now: number): number {
    const c = buf[p] ?? 0;
    if (c >= 48 && c <= 57) {
      const q = this.rfc3339(buf, p, end);
      return q >= 0 ? q : this.epoch(buf, p, end);
    }
    return this.classic(buf, p, end, now);
  }

  /** Start of an hour in the configured zone (or UTC when `utc`), cached for the last hour asked. */
  private hourStart(y: number, mo: number, d: number, h: number, utc: boolean): number {
    const key = (((y * 12 + mo) * 32 + d) * 24 + h) * 2 + (utc ? 1 : 0);
    if (key !== this.hourKey) {
      this.hourKey = key;
      this.hourBase = utc ? Date.UTC(y, mo, d, h) : new Date(y, mo, d, h).getTime();
    }
    return this.hourBase;
  }

  private classic(buf: Uint8Array, p: number, end: number, now: number): number {
    if (p + 14 > end) return -1;
    const mo = month(buf, p);
    if (mo < 0 || buf[p + 3] !== SP) return -1;
    let q = p + 4;
    let day: number;
    if (buf[q] === SP) {
      day = digit(buf[q + 1]);
      q += 2;
    } else {
      day = digit(buf[q]);
      q++;
      const d2 = digit(buf[q]);
      if (d2 >= 0) {
        day = day * 10 + d2;
        q++;
      }
    }
    if (day < 1 || day > 31 || buf[q] !== SP || q + 9 > end) return -1;
    q++;
    const h = num(buf, q, 2);
    const mi = num(buf, q + 3, 2);
    const s = num(buf, q + 6, 2);
    if (buf[q + 2] !== 58 || buf[q + 5] !== 58 || !validTime(h, mi, s)) return -1;
    q = fraction(buf, q + 8, end, this.frac);
    if (q < end && buf[q] !== SP) return -1;

    if (now < this.yearFrom || now >= this.yearTo) this.setYear(now);
    const key = (mo * 32 + day) * 24 + h;
    if (key !== this.classicKey) {
      this.classicKey = key;
      const utc = this.zone === 'utc';
      this.classicThis = this.hourStart(this.year, mo, day, h, utc);
      this.classicPrev = this.hourStart(this.year - 1, mo, day, h, utc);
    }
    const within = mi * 60_000 + s * 1000 + this.frac.ms;
    const ts = this.classicThis + within;
    this.ts = ts > now + DAY_MS ? this.classicPrev + within : ts;
    return q;
  }

  private setYear(now: number): void {
    const d = new Date(now);
    const utc = this.zone === 'utc';
    this.year = utc ? d.getUTCFullYear() : d.getFullYear();
    this.yearFrom = utc ? Date.UTC(this.year, 0, 1) : new Date(this.year, 0, 1).getTime();
    this.yearTo = utc ? Date.UTC(this.year + 1, 0, 1) : new Date(this.year + 1, 0, 1).getTime();
    this.classicKey = NaN; // cached bases belong to the old year
  }

  private rfc3339(buf: Uint8Array, p: number, end: number): number {
    if (p + 19 > end) return -1;
    const y = num(buf, p, 4);
    const mo = num(buf, p + 5, 2);
    const d = num(buf, p + 8, 2);
    const sep = buf[p + 10];
    const h = num(buf, p + 11, 2);
    const mi = num(buf, p + 14, 2);
    const s = num(buf, p + 17, 2);
    if (y < 0 || buf[p + 4] !== 45 || buf[p + 7] !== 45 || (sep !== 84 && sep !== 116 && sep !== SP))
      return -1;
    if (
      buf[p + 13] !== 58 ||
      buf[p + 16] !== 58 ||
      mo < 1 ||
      mo > 12 ||
      d < 1 ||
      d > 31 ||
      !validTime(h, mi, s)
    )
      return -1;
    let q = fraction(buf, p + 19, end, this.frac);
    let offsetMin = 0;
    let utc = this.zone === 'utc';
    const z = q < end ? buf[q] : SP;
    if (z === 90 || z === 122) {
      utc = true;
      q++;
    } else if (z === 43 || z === 45) {
      const colon = q + 3 < end && buf[q + 3] === 58 ? 1 : 0;
      if (q + 5 + colon > end) return -1;
      const oh = num(buf, q + 1, 2);
      const om = num(buf, q + 3 + colon, 2);
      if (oh < 0 || om < 0) return -1;
      offsetMin = (z === 45 ? -1 : 1) * (oh * 60 + om);
      utc = true;
      q += 5 + colon;
    }
    if (q < end && buf[q] !== SP) return -1;
    if (y < MIN_YEAR) return -1;
    this.ts =
      this.hourStart(y, mo - 1, d, h, utc) + mi * 60_000 + s * 1000 + this.frac.ms - offsetMin * 60_000;
    return q;
  }

  private epoch(buf: Uint8Array, p: number, end: number): number {
    if (p + 10 > end) return -1;
    const secs = num(buf, p, 10);
    if (secs < 0 || (p + 10 < end && digit(buf[p + 10]) >= 0)) return -1;
    const q = fraction(buf, p + 10, end, this.frac);
    if (q < end && buf[q] !== SP) return -1;
    this.ts = secs * 1000 + this.frac.ms;
    return q;
  }

  /** Proxmox `dd/Mon/yyyy:HH:MM:SS +zzzz` at `p` (the caller finds the first '/', at p + 2). */
  proxmox(buf: Uint8Array, p: number, end: number): number {
    if (p + 26 > end) return -1;
    const d = num(buf, p, 2);
    const mo = month(buf, p + 3);
    const y = num(buf, p + 7, 4);
    const h = num(buf, p + 12, 2);
    const mi = num(buf, p + 15, 2);
    const s = num(buf, p + 18, 2);
    const sign = buf[p + 21];
    const oh = num(buf, p + 22, 2);
    const om = num(buf, p + 24, 2);
    if (
      d < 1 ||
      d > 31 ||
      mo < 0 ||
      y < MIN_YEAR ||
      buf[p + 2] !== 47 ||
      buf[p + 6] !== 47 ||
      buf[p + 11] !== 58
    )
      return -1;
    if (!validTime(h, mi, s) || buf[p + 20] !== SP || (sign !== 43 && sign !== 45) || oh < 0 || om < 0)
      return -1;
    const offsetMin = (sign === 45 ? -1 : 1) * (oh * 60 + om);
    this.ts = this.hourStart(y, mo, d, h, true) + mi * 60_000 + s * 1000 - offsetMin * 60_000;
    return p + 26;
  }
}
