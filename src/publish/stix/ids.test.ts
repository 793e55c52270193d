/** UUIDv5 against the RFC's known value, and the determinism the STIX exports rely on. */
import { describe, expect, it } from 'vitest';
import { STORMWATCH_NAMESPACE, stixId, uuidV5 } from './ids.js';

const IDENTIFIER =
  /^[a-z][a-z0-9-]+[a-z0-9]--[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-5][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$/;

describe('uuidV5', () => {
  it('gives the known value of the DNS namespace example', () => {
    // The DNS namespace of RFC 9562 appendix A and the name "www.example.com".
    expect(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com')).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
  });

  it('refuses a namespace that is not a UUID', () => {
    expect(() => uuidV5('not-a-uuid', 'x')).toThrow(/not a UUID/);
  });
});

describe('stixId', () => {
  it('is the same for the same content, different otherwise, and a valid STIX identifier', () => {
    const a = stixId('indicator', "networks|[ipv4-addr:value = '203.0.113.0/24']");
    expect(stixId('indicator', "networks|[ipv4-addr:value = '203.0.113.0/24']")).toBe(a);
    expect(stixId('indicator', "networks|[ipv4-addr:value = '203.0.114.0/24']")).not.toBe(a);
    expect(stixId('report', "networks|[ipv4-addr:value = '203.0.113.0/24']").slice(8)).not.toBe(a.slice(11));
    expect(a).toMatch(IDENTIFIER);
    expect(a.split('--')[1]?.[14]).toBe('5');
    expect(STORMWATCH_NAMESPACE).toMatch(/^[0-9a-f-]{36}$/);
  });
});
