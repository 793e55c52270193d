/**
 * The SSRF guard's name half: parse a webhook URL, resolve its host once, check every address, and hand
 * back the address to connect to (pinned: the HTTP request connects to exactly the address checked here,
 * so a DNS answer that changes between check and connect, DNS rebinding, cannot redirect it).
 *
 * Invariants:
 * - Only http: and https: URLs, without credentials. The WHATWG URL parser turns the numeric IPv4 forms
 *   (http://2130706433/, http://0x7f.1/, http://0177.0.0.1/) into dotted quads before the check.
 * - A name is refused when ANY of its addresses is refused (an attacker controls which one a client picks).
 * - A refused target is SW_TARGET_REFUSED (permanent); a failed lookup is SW_DELIVERY_FAILED (retryable).
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { LookupFunction } from 'node:net';
import { deliveryFailed, targetRefused } from '../failure.js';
import { refusedReason } from './address-policy.js';

export interface ResolvedTarget {
  url: URL;
  /** Host name or address literal, without IPv6 brackets. */
  host: string;
  port: number;
  address: string;
  family: 4 | 6;
}

/** All addresses of a name (dns.lookup with all: true by default; injectable for tests). */
export type LookupAll = (host: string) => Promise<Array<{ address: string; family: number }>>;

export const systemLookupAll: LookupAll = (host) => dnsLookup(host, { all: true, verbatim: true });

/** Parses and checks the URL's form only (no lookup): for config validation. Returns a problem or null. */
export function urlProblem(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'not a valid URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return `scheme ${url.protocol} is not http or https`;
  if (url.username || url.password) return 'credentials in the URL are not supported';
  return null;
}

/**
 * @example const t = await resolveTarget('soc', 'https://hooks.example.org/x', { allowPrivate: false })
 */
export async function resolveTarget(
  channel: string,
  raw: string,
  opts: { allowPrivate: boolean; lookup?: LookupAll },
): Promise<ResolvedTarget> {
  const problem = urlProblem(raw);
  if (problem) throw targetRefused(channel, `${problem}: ${raw.slice(0, 200)}`);
  const url = new URL(raw);
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  let addresses: Array<{ address: string; family: number }>;
  if (isIP(host)) {
    addresses = [{ address: host, family: isIP(host) }];
  } else {
    try {
      addresses = await (opts.lookup ?? systemLookupAll)(host);
    } catch (err) {
      throw deliveryFailed(
        channel,
        `cannot resolve ${host}: ${(err as Error).message}`,
        { permanent: false },
        err,
      );
    }
    if (addresses.length === 0) throw deliveryFailed(channel, `${host} has no address`, { permanent: false });
  }
  for (const a of addresses) {
    const why = refusedReason(a.address, opts.allowPrivate);
    if (why) {
      const via = a.address === host ? '' : ` (${host} resolves to ${a.address})`;
      throw targetRefused(channel, `target ${a.address} is ${why}${via}; set allow_private to allow`);
    }
  }
  const first = addresses[0]!;
  return { url, host, port, address: first.address, family: first.family === 6 ? 6 : 4 };
}

/** A `lookup` for http(s).request that answers every query with the checked address. */
export function pinnedLookup(target: ResolvedTarget): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
}
