import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openKnowledgeBase } from '../kb.js';
import type { KnowledgeBase } from '../kb.js';
import { importFile } from '../import/run.js';
import { TESTDATA, tempStore } from '../test-helpers.js';
import type { TempStore } from '../test-helpers.js';
import { formatCorrelation } from '../format.js';
import { correlate } from './correlate.js';

const AT = Date.parse('2007-04-16T09:00:00Z');
let t: TempStore;
let kb: KnowledgeBase;

beforeEach(() => {
  t = tempStore();
  kb = openKnowledgeBase(t.store).kb;
});
afterEach(() => t.close());

describe('correlate: tcp/1025 on 2007-04-16 with the shipped data', () => {
  const check = (): void => {
    const c = correlate(
      {
        proto: 'tcp',
        port: 1025,
        at: AT,
        firstSeen: Date.parse('2007-04-15T22:00:00Z'),
        incident: { id: 'inc-1', opened_at: AT, escalated_at: AT + 3_600_000 },
      },
      kb,
    );
    const top = c.services[0];
    expect(top).toMatchObject({ family: 'microsoft-rpc', name: 'msrpc-dynamic' });
    expect(top?.block).toEqual(expect.arrayContaining(['tcp/135', 'tcp/1024-65535']));
    expect(top?.reasons.join(' ')).toMatch(/range 1025-5000 .* 1025 is its first port/);
    // IANA's 'blackjack' registration is a candidate too, ranked below
    const registry = c.services.find((s) => s.name === 'blackjack');
    expect(registry).toMatchObject({ family: null });
    expect(registry?.score).toBeLessThan(top?.score ?? 0);

    const v = c.vulnerabilities[0];
    expect(v?.vulnerability.id).toBe('CVE-2007-1748');
    expect(v?.reasons.join(' | ')).toMatch(/disclosed 4 days before 2007-04-16 \(within 30 days\)/);
    expect(v?.reasons.join(' | ')).toMatch(/2 public exploits by then \(EDB-3737, EDB-3740\), 3 later/);
    expect(v?.exploits.map((x) => x.id)).toEqual([
      'EDB-3737',
      'EDB-3740',
      'EDB-3746',
      'EDB-16748',
      'EDB-16366',
    ]);
    expect(c.exploit_count).toBe(5);

    const kinds = c.timeline.map((e) => e.kind);
    expect(kinds[0]).toBe('disclosed');
    expect(kinds).toEqual(
      expect.arrayContaining(['activity_first_seen', 'incident_opened', 'incident_escalated']),
    );
    expect(c.timeline.filter((e) => e.kind === 'exploit_published')).toHaveLength(5);
    expect(c.timeline.map((e) => e.at)).toEqual([...c.timeline.map((e) => e.at)].sort((a, b) => a - b));
  };

  it('ranks the Windows RPC dynamic range first and CVE-2007-1748 with its exploits on top', check);

  it('stays so once NVD, KEV and Exploit-DB data are imported too (merged, not duplicated)', () => {
    importFile('nvd', join(TESTDATA, 'nvdcve-2.0-sample.json'), t.store);
    importFile('kev', join(TESTDATA, 'known_exploited_vulnerabilities.json'), t.store);
    importFile('exploitdb', join(TESTDATA, 'files_exploits.csv'), t.store);
    check();
    const v = t.store.getVulnerability('CVE-2007-1748');
    expect(v?.published).toBe(Date.UTC(2007, 3, 12)); // the reviewed disclosure date wins over NVD's
    expect(v?.products).toEqual(
      expect.arrayContaining(['microsoft:dns_server', 'microsoft:windows_2003_server']),
    );
    expect(
      t.store
        .getExploit('EDB-3737')
        ?.sources.map((s) => s.kind)
        .sort(),
    ).toEqual(['curated', 'exploit-db']);
  });

  it('does not know CVE-2007-1748 before it was disclosed', () => {
    const c = correlate({ proto: 'tcp', port: 1025, at: Date.parse('2007-04-01T00:00:00Z') }, kb);
    expect(c.services[0]?.family).toBe('microsoft-rpc');
    expect(c.vulnerabilities).toEqual([]);
  });
});

describe('correlate: edges', () => {
  it('gives an empty but valid result for a port nobody knows', () => {
    for (const [proto, port] of [
      ['udp', 65000],
      ['icmp', 8],
    ] as const) {
      const c = correlate({ proto, port, at: AT }, kb);
      expect(c).toEqual({
        proto,
        port,
        at: AT,
        services: [],
        vulnerabilities: [],
        exploit_count: 0,
        timeline: [],
      });
    }
  });

  it('prints a correlation for a terminal', () => {
    const text = formatCorrelation(correlate({ proto: 'tcp', port: 1025, at: AT }, kb));
    expect(text).toMatch(/^tcp\/1025 as known at 2007-04-16T09:00:00Z\n/);
    expect(text).toMatch(/ {2}1\. msrpc-dynamic \(microsoft-rpc\), score 0\.9\d\n/);
    expect(text).toMatch(/block: tcp\/135, udp\/135, tcp\/1024-65535/);
    expect(text).toMatch(/1\. CVE-2007-1748, score 0\.\d\d: /);
    expect(text).toMatch(/exploit EDB-3737 \(2007-04-15, port 139\): /);
    expect(text).toMatch(/Timeline:\n {2}2007-04-12T00:00:00Z {2}CVE-2007-1748 disclosed/);
    const empty = formatCorrelation(correlate({ proto: 'udp', port: 65000, at: AT }, kb));
    expect(empty).toMatch(/Services: nothing known about this port\.\n\nVulnerabilities: none linked\.\n$/);
  });

  it('refuses input that is not a port or a time', () => {
    expect(() => correlate({ proto: 'tcp', port: 70000, at: AT }, kb)).toThrow(/port must be 0-65535/);
    expect(() => correlate({ proto: 'tcp', port: 1.5, at: AT }, kb)).toThrow(/port must be/);
    expect(() => correlate({ proto: 'tcp', port: 22, at: Number.NaN }, kb)).toThrow(/not a time/);
    expect(() => correlate({ proto: 'sctp' as 'tcp', port: 22, at: AT }, kb)).toThrow(/unknown protocol/);
  });
});
