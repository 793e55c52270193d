/** draftAdvisory on the TCP/1025 case and its variations: title, hedged wording, blocks, evidence, determinism. */
import { describe, expect, it } from 'vitest';
import {
  correlation1025,
  DAY,
  FIRST_SEEN,
  HOUR,
  hourlyRows,
  incident1025,
  NOW,
  vuln1748,
} from '../test-helpers.js';
import { baselineBand } from './baseline-band.js';
import { draftAdvisory } from './draft.js';
import type { DraftInput } from './draft.js';

function input(over: Partial<DraftInput> = {}): DraftInput {
  const from = FIRST_SEEN - DAY;
  const to = NOW;
  const rows = hourlyRows(from - 7 * DAY, (to - from) / HOUR + 7 * 24, 40, FIRST_SEEN, 400);
  return {
    incident: incident1025(),
    correlation: correlation1025(),
    series: rows.filter((r) => r.bucket >= from),
    baseline: baselineBand(rows, from, to, FIRST_SEEN, from - 7 * DAY),
    now: NOW,
    ...over,
  };
}

describe('draftAdvisory (TCP/1025 with a linked DNS RPC vulnerability)', () => {
  const d = draftAdvisory(input());

  it('titles the surge with the top service candidate', () => {
    expect(d.title).toBe('Surge of scanning on TCP/1025 (Microsoft RPC dynamic ports)');
    const cusum = draftAdvisory(
      input({ incident: incident1025({ evidence: { ...incident1025().evidence, test: 'cusum' } }) }),
    );
    expect(cusum.title).toBe('Sustained rise in scanning on TCP/1025 (Microsoft RPC dynamic ports)');
  });

  it('recommends the RPC range, 135 from the candidate, and 139/445 because the exploit uses SMB', () => {
    const ranges = d.fields.recommendations.block.map((r) => `${r.proto}/${r.from}-${r.to}`);
    expect(ranges).toEqual(['tcp/135-135', 'tcp/139-139', 'tcp/445-445', 'tcp/1024-65535']);
    const wide = d.fields.recommendations.block.at(-1);
    expect(wide?.reasons).toEqual(
      expect.arrayContaining(['used by Microsoft RPC dynamic ports (msrpc-dynamic)', 'the attacked port']),
    );
    expect(d.fields.recommendations.actions[3]).toBe(
      'Block new inbound TCP 1024-65535 from untrusted networks where it is not needed: used by Microsoft RPC dynamic ports (msrpc-dynamic).',
    );
    expect(d.fields.recommendations.actions).toContain('Apply the vendor fix for CVE-2007-1748 (MS07-029).');
  });

  it('says plainly what is observed and what is not confirmed, with the timing', () => {
    const s = d.fields.statements;
    expect(s.observed[0]).toContain(
      'We observe 1,234 distinct sources scanning TCP/1025 in the 3 hours ending 2007-04-16 11:00 UTC',
    );
    expect(s.observed[0]).toContain('about 363 expected (99% range 301-428): 3.4 times');
    expect(s.observed.join(' ')).toContain('doubles every 9.5 hours');
    expect(s.observed.join(' ')).toContain('p = 3.2e-12 (threshold 1e-4)');
    expect(s.not_confirmed).toContain(
      'We have not confirmed that this activity exploits CVE-2007-1748 (Windows DNS Server RPC interface stack overflow).',
    );
    expect(s.timing[0]).toBe(
      'CVE-2007-1748: the timing matches its disclosure on 2007-04-13, 2 days before the activity began; ' +
        'the timing matches the publication of exploit EDB-3737 on 2007-04-15, less than a day before the activity began.',
    );
    expect(d.summary).toContain(
      'We have not confirmed that this activity exploits CVE-2007-1748; the timing matches its disclosure',
    );
    expect(d.summary).not.toMatch(/\b(is|are) exploiting\b/);
  });

  it('ties the confidence words to operators and the handshake share', () => {
    expect(d.fields.confidence.words).toBe(
      'Confidence high: broad: seen by 14 independent operators (11.3 effective); ' +
        '82% of sources completed a TCP handshake, so most are real, reachable hosts.',
    );
    const narrow = incident1025({
      confidence: { operators: 2, handshake_share: null, label: 'low' },
      evidence: { ...incident1025().evidence, operators: 2, effective_operators: 1.4, handshake_share: null },
    });
    const w = draftAdvisory(input({ incident: narrow })).fields.confidence.words;
    expect(w).toContain('Confidence low: narrow: seen by only 2 operator(s) (1.4 effective)');
    expect(w).toContain('spoofed sources cannot be ruled out');
    const syn = incident1025({ evidence: { ...incident1025().evidence, handshake_share: 0.03 } });
    expect(draftAdvisory(input({ incident: syn })).fields.confidence.words).toContain(
      'almost no source completed',
    );
  });

  it('writes the evidence, vulnerabilities and firewall snippets into the Markdown body', () => {
    const md = d.body_md;
    for (const heading of [
      '## What we observe',
      '## What we have not confirmed',
      '## Timing',
      '## Recommendations',
      '## Evidence',
    ])
      expect(md).toContain(heading);
    expect(md).toContain(
      '| CVE-2007-1748 | Windows DNS Server RPC interface stack overflow | 2007-04-13 | 10 | no | EDB-3737 (2007-04-15) |',
    );
    expect(md).toContain('1 public exploit(s) are linked');
    expect(md).toContain('| p-value | 3.2e-12 (threshold 1e-4) |');
    expect(md).toContain('| Sources | 1,234 observed, 363 expected (99% range 301-428), fold 3.4 |');
    expect(md).toContain(
      '| Gates passed | operator_quorum: 14 operators, need 3; effective_operators: 11.3 effective operators, need 2.5;',
    );
    expect(md).toContain(
      'iptables -A INPUT -i "$WAN_IF" -p tcp -m conntrack --ctstate NEW --dport 1024:65535 -j DROP',
    );
    expect(md).toContain('```powershell');
    expect(d.fields.evidence.window_hours).toBe(3);
    expect(d.fields.incident.first_seen).toBe('2007-04-15T07:00:00.000Z');
  });

  it('is deterministic', () => {
    expect(JSON.stringify(draftAdvisory(input()))).toBe(JSON.stringify(d));
  });
});

describe('draftAdvisory variations', () => {
  it('without knowledge of the port: no service in the title, only the port to block, no CVE named', () => {
    const d = draftAdvisory(input({ correlation: null }));
    expect(d.title).toBe('Surge of scanning on TCP/1025');
    expect(d.fields.recommendations.block).toEqual([
      { proto: 'tcp', from: 1025, to: 1025, reasons: ['the attacked port'] },
    ]);
    expect(d.fields.statements.not_confirmed).toContain(
      'We have not linked this activity to a known vulnerability.',
    );
    expect(d.fields.statements.timing).toEqual([]);
    expect(d.body_md).not.toContain('## Timing');
  });

  it('words a 5-minute window and a trend test', () => {
    const base = incident1025().evidence;
    const i = incident1025({
      evidence: { ...base, granularity: '5m', window: 6, test: 'cusum', growth: null },
    });
    const d = draftAdvisory(input({ incident: i }));
    expect(d.fields.statements.observed[0]).toContain('in the 30 minutes ending 2007-04-16 10:05 UTC');
    expect(d.fields.statements.observed.join(' ')).toContain('The trend (CUSUM) test fired');
    expect(d.fields.evidence.window_hours).toBe(0.5);
    expect(d.body_md).toContain('| Growth | not measured |');
  });

  it('adds 139/445 only when an exploit names SMB or 445', () => {
    const blocks = (port: number | null, title: string) =>
      draftAdvisory(
        input({ correlation: correlation1025([vuln1748(port, title)]) }),
      ).fields.recommendations.block.map((r) => r.from);
    expect(blocks(null, 'DNS Server buffer overflow')).toEqual([135, 1024]);
    expect(blocks(null, 'DNS RPC over SMB named pipe')).toEqual([135, 139, 445, 1024]);
    expect(blocks(139, 'DNS Server buffer overflow')).toEqual([135, 139, 445, 1024]);
  });

  it('says the timing alone does not link an old disclosure, and flags a later one', () => {
    const old = vuln1748(null, 'x');
    old.vulnerability.published = FIRST_SEEN - 90 * DAY;
    old.exploits = [];
    const later = vuln1748(null, 'x');
    later.vulnerability.id = 'CVE-2007-9999';
    later.vulnerability.published = FIRST_SEEN + DAY;
    later.exploits = [];
    const t = draftAdvisory(input({ correlation: correlation1025([old, later]) })).fields.statements.timing;
    expect(t[0]).toBe(
      'CVE-2007-1748: its disclosure on 2007-01-15, 90 days before the activity began; the timing alone does not link them.',
    );
    expect(t[1]).toBe('CVE-2007-9999: its disclosure on 2007-04-16, after the activity began.');
  });

  it('urges the fix of a known-exploited vulnerability first', () => {
    const v = vuln1748();
    v.vulnerability.kev = { date_added: FIRST_SEEN - DAY, due_date: null, ransomware: false };
    const d = draftAdvisory(input({ correlation: correlation1025([v]) }));
    expect(d.fields.recommendations.actions).toContain(
      'Patch CVE-2007-1748 (MS07-029) first: it is listed as known exploited.',
    );
    expect(d.fields.statements.timing[0]).toContain(
      'the timing matches its listing as known exploited on 2007-04-14',
    );
  });
});
