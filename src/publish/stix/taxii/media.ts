/**
 * TAXII 2.1 media types and the Accept check (TAXII 2.1 sections 1.6.8 and 3.1, RFC 9110 section 12.5.1).
 *
 * A request is served when its Accept header has a range with q > 0 that covers
 * `application/taxii+json;version=2.1`: that type with version 2.1 or no version, `application/*` or `*\/*`.
 * A missing Accept header is served too (RFC 9110: any type is acceptable); anything else answers 406.
 */
export const TAXII_MEDIA_TYPE = 'application/taxii+json;version=2.1';
export const STIX_MEDIA_TYPE = 'application/stix+json;version=2.1';

/** Whether the Accept header allows a TAXII 2.1 answer. */
export function acceptsTaxii(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  if (accept.length > 1024) return false;
  return accept.split(',').some((range) => {
    const [type = '', ...params] = range.split(';').map((p) => p.trim().toLowerCase());
    const values = new Map(
      params.map((p) => {
        const eq = p.indexOf('=');
        return [
          p.slice(0, eq).trim(),
          p
            .slice(eq + 1)
            .trim()
            .replace(/^"|"$/g, ''),
        ] as const;
      }),
    );
    const q = values.has('q') ? Number(values.get('q')) : 1;
    if (!(q > 0)) return false;
    if (type === '*/*' || type === 'application/*') return true;
    if (type !== 'application/taxii+json') return false;
    const version = values.get('version');
    return version === undefined || version === '2.1';
  });
}
