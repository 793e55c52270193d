/**
 * The sensor's privacy policy, applied to every event before it is spooled:
 * - target addresses (our own hosts) are masked to a network (default /24 for IPv4, /64 for IPv6) or dropped;
 * - sources that cannot be an Internet attacker (private, loopback, link-local, multicast, reserved, 0.0.0.0, ::)
 *   are excluded unless `exclude_private_sources` is false, and sources in `own_networks` are always excluded:
 *   an operator's own addresses must never leave the sensor. Exclusions are counted by reason.
 *
 * Invariants: an event that passes has `dst` masked (or absent). IPv4 sources are judged from their digits
 * without allocating (cheaper than a cache lookup, and a scan from a million sources does not churn a map); IPv6
 * verdicts and masked targets (few distinct ones: our own hosts) are cached in bounded maps, cleared when full.
 */
import type { AttackEvent } from '../core/event.js';
import { formatIPv4, formatIPv6, maskIPv4, maskIPv6, parseIp, parseIPv4Text } from './net/ip.js';
import { cidrContains, classifyIp, classifyIPv4, parseCidr } from './net/ranges.js';
import type { Cidr } from './net/ranges.js';

export interface PrivacyConfig {
  mask_ipv4_prefix: number;
  mask_ipv6_prefix: number;
  drop_targets: boolean;
  exclude_private_sources: boolean;
  own_networks: string[];
}

export const PRIVACY_DEFAULTS: Readonly<PrivacyConfig> = Object.freeze({
  mask_ipv4_prefix: 24,
  mask_ipv6_prefix: 64,
  drop_targets: false,
  exclude_private_sources: true,
  own_networks: [],
});

const CACHE_MAX = 8192;
/** A source that passes. */
const PASS = '';

export class PrivacyFilter {
  /** Excluded events by reason (`private`, `loopback`, ..., `own_network`, `bad_address`). */
  readonly excluded = new Map<string, number>();
  private readonly own: Cidr[];
  private readonly own4: Array<{ net: number; prefix: number }>;
  private readonly sourceVerdict = new Map<string, string>();
  private readonly maskedTarget = new Map<string, string>();

  constructor(private readonly cfg: PrivacyConfig) {
    this.own = cfg.own_networks.map(parseCidr);
    this.own4 = this.own.flatMap((c) => (c.family === 4 ? [{ net: c.net, prefix: c.prefix }] : []));
  }

  /**
   * Applies the policy to `e` in place.
   * @returns false when the event must not leave the sensor (it has been counted).
   * @example if (privacy.apply(event)) batch.push(event)
   */
  apply(e: AttackEvent): boolean {
    const v4 = parseIPv4Text(e.src);
    let verdict = v4 >= 0 ? this.judge4(v4) : this.sourceVerdict.get(e.src);
    if (verdict === undefined) {
      verdict = this.judge(e.src);
      if (this.sourceVerdict.size >= CACHE_MAX) this.sourceVerdict.clear();
      this.sourceVerdict.set(e.src, verdict);
    }
    if (verdict !== PASS) {
      this.excluded.set(verdict, (this.excluded.get(verdict) ?? 0) + 1);
      return false;
    }
    if (e.dst !== undefined) {
      if (this.cfg.drop_targets) {
        delete e.dst;
      } else {
        let masked = this.maskedTarget.get(e.dst);
        if (masked === undefined) {
          masked = this.mask(e.dst);
          if (this.maskedTarget.size >= CACHE_MAX) this.maskedTarget.clear();
          this.maskedTarget.set(e.dst, masked);
        }
        e.dst = masked;
      }
    }
    return true;
  }

  get excludedTotal(): number {
    let t = 0;
    for (const v of this.excluded.values()) t += v;
    return t;
  }

  private judge4(n: number): string {
    for (const c of this.own4) if (maskIPv4(n, c.prefix) === c.net) return 'own_network';
    if (!this.cfg.exclude_private_sources) return PASS;
    return classifyIPv4(n) ?? PASS;
  }

  private judge(src: string): string {
    const ip = parseIp(src);
    if (ip === null) return 'bad_address';
    if (this.own.some((c) => cidrContains(c, ip))) return 'own_network';
    if (!this.cfg.exclude_private_sources) return PASS;
    return classifyIp(ip) ?? PASS;
  }

  private mask(dst: string): string {
    const ip = parseIp(dst);
    if (ip === null) return dst; // parsers emit canonical addresses; nothing better to do with anything else
    return ip.family === 4
      ? formatIPv4(maskIPv4(ip.v4, this.cfg.mask_ipv4_prefix))
      : formatIPv6(maskIPv6(ip.v6, this.cfg.mask_ipv6_prefix));
  }
}
