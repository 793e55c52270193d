/**
 * An advisory as STIX: a report referring to the port's indicator, a vulnerability per CVE and related-to
 * relationships; the bundle passes the OASIS schemas; ids and times follow from the input only; inputs the
 * schemas would refuse are refused first, naming the field.
 */
import { describe, expect, it } from 'vitest';
import { advisoryObjects, portPattern } from './advisory.js';
import type { StixAdvisoryInput } from './advisory.js';
import { makeBundle, makeIdentity } from './objects.js';
import type { StixIndicator, StixRelationship, StixReport, StixVulnerability } from './types.js';
import { validateStix } from './validate.js';

const identity = makeIdentity();

const input = (over: Partial<StixAdvisoryInput> = {}): StixAdvisoryInput => ({
  id: 'adv_20070415_tcp1025',
  title: 'Scanning of tcp/1025 (Windows RPC) rising across operators',
  summary: 'Sources probing tcp/1025 grew fivefold in six hours, seen by 9 operators.',
  published: Date.parse('2007-04-15T07:00:00Z'),
  proto: 'tcp',
  port: 1025,
  cves: ['CVE-2007-1748', 'CVE-2006-2370'],
  exploit_count: 3,
  block: ['tcp/135', 'tcp/1025-5000'],
  url: 'https://stormwatch.example/advisories/adv_20070415_tcp1025',
  ...over,
});

describe('advisoryObjects', () => {
  it('makes a valid bundle: report, indicator, vulnerabilities and relationships', () => {
    const objects = advisoryObjects(input(), identity);
    expect(validateStix(makeBundle([identity, ...objects]))).toEqual([]);
    const [report, indicator, ...rest] = objects as [StixReport, StixIndicator, ...unknown[]];
    expect(report.type).toBe('report');
    expect(indicator.pattern).toBe(
      "[network-traffic:dst_port = 1025 AND network-traffic:protocols[*] = 'tcp']",
    );
    const vulns = rest.filter(
      (o): o is StixVulnerability => (o as { type: string }).type === 'vulnerability',
    );
    const rels = rest.filter((o): o is StixRelationship => (o as { type: string }).type === 'relationship');
    expect(vulns.map((v) => v.name)).toEqual(['CVE-2007-1748', 'CVE-2006-2370']);
    expect(vulns[0]?.external_references).toEqual([
      expect.objectContaining({ source_name: 'cve', external_id: 'CVE-2007-1748' }),
    ]);
    expect(rels.map((r) => [r.source_ref, r.relationship_type, r.target_ref])).toEqual(
      vulns.map((v) => [indicator.id, 'related-to', v.id]),
    );
    expect(report.object_refs).toEqual(objects.slice(1).map((o) => o.id));
    expect(report).toMatchObject({
      published: '2007-04-15T07:00:00.000Z',
      x_stormwatch_exploit_count: 3,
      x_stormwatch_block: ['tcp/135', 'tcp/1025-5000'],
      x_stormwatch_key: 'tcp/1025',
    });
    expect(report.description).toContain('Public exploits known: 3.');
    expect(report.description).toContain('Block inbound: tcp/135, tcp/1025-5000.');
  });

  it('is deterministic, and an update keeps the ids with a later modified', () => {
    const a = advisoryObjects(input(), identity);
    expect(advisoryObjects(input(), identity)).toEqual(a);
    const later = Date.parse('2007-04-16T07:00:00Z');
    const b = advisoryObjects(input({ updated: later }), identity);
    expect(b.map((o) => o.id)).toEqual(a.map((o) => o.id));
    expect(b[0]?.modified).toBe('2007-04-16T07:00:00.000Z');
    expect(b[0]?.created).toBe(a[0]?.created);
    const vuln = (objs: typeof a) => objs.find((o) => o.type === 'vulnerability');
    expect(vuln(advisoryObjects(input({ id: 'adv_other', published: later }), identity))).toEqual(vuln(a));
  });

  it('covers ICMP, and an `other` key or no CVEs still gives a valid report', () => {
    expect(portPattern('icmp', 8)).toContain("icmp_type_hex = '08'");
    expect(portPattern('other', 47)).toBeNull();
    for (const over of [
      { proto: 'icmp6' as const, port: 128 },
      { proto: 'other' as const, port: 47, cves: [] },
    ]) {
      const objects = advisoryObjects(input(over), identity);
      expect(validateStix(makeBundle([identity, ...objects])), JSON.stringify(over)).toEqual([]);
    }
    const lone = advisoryObjects(input({ proto: 'other', port: 47, cves: [] }), identity);
    expect((lone[0] as StixReport).object_refs).toEqual([identity.id]);
  });

  it.each([
    [{ cves: ['CVE-07-1748'] }, /cves: "CVE-07-1748" is not a CVE id/],
    [{ port: 70000 }, /port/],
    [{ title: '  ' }, /title: empty/],
    [{ block: ['tcp/135; rm -rf'] }, /block/],
    [{ id: 'adv 1' }, /id:/],
    [{ url: 'not a url' }, /url/],
    [{ updated: 0 }, /updated: before published/],
    [{ exploit_count: -1 }, /exploit_count/],
  ])('refuses %j', (over, message) => {
    expect(() => advisoryObjects(input(over), identity)).toThrow(message);
  });
});
