/**
 * A bounded, mergeable sample of a port row's sources: the SAMPLE_SIZE sources with the smallest keyed hash
 * (a bottom-k sample). It is what the detector shows as an incident's sample sources, top networks and top
 * countries, and what groups incidents into campaigns.
 *
 * Invariants:
 * - Deterministic and coordinated: the sample of a row is the bottom k of the keyed hashes of its sources, so
 *   the samples of two rows overlap as much as their source sets do (their Jaccard similarity is estimated by
 *   the samples), and the sample of a union is the bottom k of the samples (merge).
 * - Uniform: every source of the row is equally likely to be in it, whatever its events; a crafted source list
 *   cannot choose its place without the server's secret seed.
 * - Bounded: at most SAMPLE_SIZE entries; an offer costs one comparison once the sample is full and the hash is
 *   above its largest.
 * - Encoded as text `hash,address,country;...` (country empty when unknown), sorted by hash; decoding refuses
 *   nothing silently: a malformed entry is skipped (rows are written only by this code).
 */
export const SAMPLE_SIZE = 32;

export interface SampleEntry {
  hash: number;
  src: string;
  country: string | null;
}

export class SourceSample {
  /** Sorted by hash, ascending. */
  private entries: SampleEntry[] = [];

  /** Trims the array grown by splice() to its length (PortRow.clearCap). */
  compact(): void {
    this.entries = this.entries.slice();
  }

  get size(): number {
    return this.entries.length;
  }

  /** The largest hash kept when full (an offer above it is refused at once), else Infinity. */
  private get bar(): number {
    return this.entries.length < SAMPLE_SIZE ? Infinity : (this.entries[SAMPLE_SIZE - 1]?.hash ?? Infinity);
  }

  /** Would `hash` enter the sample (not already in it)? Cheap: call before looking up the country. */
  wants(hash: number): boolean {
    if (hash >= this.bar) return false;
    return !this.entries.some((e) => e.hash === hash);
  }

  offer(hash: number, src: string, country: string | null): void {
    if (!this.wants(hash)) return;
    let i = this.entries.length;
    while (i > 0 && (this.entries[i - 1]?.hash ?? 0) > hash) i--;
    this.entries.splice(i, 0, { hash, src, country });
    if (this.entries.length > SAMPLE_SIZE) this.entries.length = SAMPLE_SIZE;
  }

  merge(other: SourceSample): void {
    for (const e of other.entries) this.offer(e.hash, e.src, e.country);
  }

  list(): readonly SampleEntry[] {
    return this.entries;
  }

  encode(): string | null {
    if (this.entries.length === 0) return null;
    return this.entries.map((e) => `${e.hash},${e.src},${e.country ?? ''}`).join(';');
  }

  static decode(text: string | null | undefined): SourceSample {
    const s = new SourceSample();
    if (!text) return s;
    for (const part of text.split(';')) {
      const [h, src, country] = part.split(',');
      const hash = Number(h);
      if (!Number.isFinite(hash) || src === undefined || src === '') continue;
      s.offer(hash, src, country === undefined || country === '' ? null : country);
    }
    return s;
  }
}

/** The network of an address for the evidence: its /24 (IPv4) or /48 (IPv6), in CIDR notation. */
export function networkOf(src: string): string {
  if (src.includes(':')) {
    const groups = expandV6(src);
    return groups === null ? src : `${groups.slice(0, 3).join(':')}::/48`;
  }
  const parts = src.split('.');
  return parts.length === 4 ? `${parts[0]}.${parts[1]}.${parts[2]}.0/24` : src;
}

function expandV6(src: string): string[] | null {
  const [head, tail] = src.split('::');
  const a = head ? head.split(':') : [];
  const b = tail === undefined ? [] : tail ? tail.split(':') : [];
  if (src.includes('::') ? a.length + b.length > 7 : a.length !== 8) return null;
  const fill = Array.from({ length: 8 - a.length - b.length }, () => '0');
  return [...a, ...fill, ...b].map((g) => (g === '' ? '0' : g.toLowerCase().replace(/^0+(?=.)/, '')));
}

/**
 * Top networks and countries of a row, estimated from its sample: each sampled source stands for
 * sources / sample size sources (rounded; at least 1).
 */
export function sampleEvidence(
  sample: readonly SampleEntry[],
  sources: number,
  limit = 5,
): {
  sample_sources: string[];
  top_networks: Array<{ network: string; sources: number }>;
  top_countries: Array<{ country: string; sources: number }>;
} {
  const scale = sample.length > 0 ? Math.max(1, sources / sample.length) : 1;
  const nets = new Map<string, number>();
  const countries = new Map<string, number>();
  for (const e of sample) {
    const n = networkOf(e.src);
    nets.set(n, (nets.get(n) ?? 0) + 1);
    if (e.country !== null) countries.set(e.country, (countries.get(e.country) ?? 0) + 1);
  }
  const top = <K extends string>(m: Map<string, number>, key: K) =>
    [...m]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, limit)
      .map(
        ([k, c]) =>
          ({ [key]: k, sources: Math.max(1, Math.round(c * scale)) }) as Record<K, string> & {
            sources: number;
          },
      );
  return {
    sample_sources: sample.map((e) => e.src),
    top_networks: top(nets, 'network'),
    top_countries: top(countries, 'country'),
  };
}
