/**
 * Validation of what a note links to: ports ('tcp/1025'), incident ids, advisory ids and IP addresses. Each value
 * is checked and put in one canonical form (lower case; IPv6 compressed by the URL parser), so that a filter on
 * 'tcp/1025' finds every note about it. Any invalid value refuses the whole note with SW_BAD_REQUEST naming it.
 */
import { isIP } from 'node:net';
import { makeError } from '../../../core/errors.js';
import { PROTOCOLS } from '../../../core/event.js';
import type { NoteLinks } from '../../../protocol/advisory-types.js';

export const MAX_LINKS_PER_KIND = 50;
export const INCIDENT_ID = /^in_[a-z0-9]+_\d+_\d+$/;
export const ADVISORY_ID = /^adv_[0-9a-f]{16}$/;

/** 'TCP/01025' → 'tcp/1025'; null when not a protocol and a port 0..65535. */
export function canonicalPort(s: string): string | null {
  const m = /^([a-z0-9]{1,8})\/(\d{1,5})$/.exec(s.trim().toLowerCase());
  if (!m || !(PROTOCOLS as readonly string[]).includes(m[1] ?? '')) return null;
  const port = Number(m[2]);
  return port <= 65_535 ? `${m[1]}/${port}` : null;
}

/** An IPv4 or IPv6 address in canonical text; null otherwise (no CIDR, no zone ids, no host names). */
export function canonicalIp(s: string): string | null {
  const t = s.trim().toLowerCase();
  const v = isIP(t);
  if (v === 4) return t.split('.').map(Number).join('.') === t ? t : null; // refuses leading zeros
  if (v === 6) {
    if (t.includes('%')) return null;
    return new URL(`http://[${t}]/`).hostname.slice(1, -1);
  }
  return null;
}

/** A value to filter notes by (any of the four kinds), canonicalised; null when it is none of them. */
export function canonicalLink(s: string): string | null {
  const t = s.trim().toLowerCase();
  return canonicalPort(t) ?? (INCIDENT_ID.test(t) || ADVISORY_ID.test(t) ? t : canonicalIp(t));
}

/**
 * @example validateLinks({ ports: ['TCP/1025'], incidents: [], advisories: [], ips: ['192.0.2.7'] })
 */
export function validateLinks(links: Partial<NoteLinks>): NoteLinks {
  const problems: string[] = [];
  const check = (kind: keyof NoteLinks, ok: (s: string) => string | null): string[] => {
    const values = links[kind] ?? [];
    if (values.length > MAX_LINKS_PER_KIND) problems.push(`links.${kind}: at most ${MAX_LINKS_PER_KIND}`);
    const out: string[] = [];
    values.slice(0, MAX_LINKS_PER_KIND).forEach((v, i) => {
      const c = ok(v);
      if (c === null)
        problems.push(
          `links.${kind}[${i}]: ${JSON.stringify(v.slice(0, 80))} is not a valid ${kind.slice(0, -1)}`,
        );
      else if (!out.includes(c)) out.push(c);
    });
    return out;
  };
  const result: NoteLinks = {
    ports: check('ports', canonicalPort),
    incidents: check('incidents', (s) => (INCIDENT_ID.test(s) ? s : null)),
    advisories: check('advisories', (s) => (ADVISORY_ID.test(s) ? s : null)),
    ips: check('ips', canonicalIp),
  };
  if (problems.length > 0) throw makeError('SW_BAD_REQUEST', problems.join('; '), { details: problems });
  return result;
}
