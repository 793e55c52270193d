/**
 * Every blocklist format parsed back: the text list, the ipset restore file (line grammar, atomic swap), the
 * nftables script (balanced braces, every element in the right set, no empty `elements`), the pf table file,
 * the CSV (csv-parse, formula-injection safe) and the STIX bundle (the OASIS schemas). Hostile text in the
 * data or the configuration never breaks out of a comment or a cell.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { validateStix } from '../../stix/validate.js';
import type { StixIndicator } from '../../stix/types.js';
import { build, sampleSources, totals } from '../test-helpers.js';
import type { Blocklist } from '../types.js';
import { CSV_COLUMNS, csvCell, renderCsv } from './csv.js';
import { FORMATS } from './index.js';
import { IPSET_V4, IPSET_V6, renderIpset } from './ipset.js';
import { renderNft } from './nft.js';
import { renderPf } from './pf.js';
import { renderStix } from './stix.js';
import { renderText } from './text.js';

const networks = (): Blocklist => build('networks', sampleSources());
const hostile = (): Blocklist =>
  build('sources', [totals('192.0.2.1', { as_name: '=HYPERLINK("http://x")', country: '+1' })], {
    delisting: 'mail abuse@example.org\nadd stormwatch-v4 0.0.0.0/0\r\n}',
  });

const body = (text: string): string[] => text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
const comments = (text: string): string[] => text.split('\n').filter((l) => l.startsWith('#'));

describe('plain text', () => {
  it('is a # header saying what, when, window and delisting, then one CIDR per line', () => {
    const list = networks();
    const text = renderText(list);
    expect(body(text)).toEqual(list.entries.map((e) => e.value));
    const head = comments(text).join('\n');
    expect(head).toContain('Stormwatch blocklist: networks');
    expect(head).toContain(`Generated: ${new Date(list.generated_at).toISOString()}`);
    expect(head).toContain('Window: last 1 day(s)');
    expect(head).toContain('Delisting: POST https://stormwatch.example/api/v1/blocklists/delist');
    expect(text.endsWith('\n')).toBe(true);
  });

  it('keeps a configured text with line breaks inside its comment line', () => {
    const text = renderText(hostile());
    expect(body(text)).toEqual(['192.0.2.1']);
    expect(comments(text).some((l) => l.includes('add stormwatch-v4 0.0.0.0/0'))).toBe(true);
  });
});

describe('ipset', () => {
  const LINE =
    /^(create (\S+) hash:net family (inet|inet6) maxelem \d+ -exist|flush (\S+)|add (\S+) (\S+) -exist|swap (\S+) (\S+)|destroy (\S+))$/;

  it('has only ipset commands and fills each family set through a swapped temporary set', () => {
    const list = networks();
    const text = renderIpset(list);
    const lines = body(text);
    for (const l of lines) expect(l, l).toMatch(LINE);
    const added = (set: string) =>
      lines.filter((l) => l.startsWith(`add ${set}-tmp `)).map((l) => l.split(' ')[2]);
    expect(added(IPSET_V4)).toEqual(list.entries.filter((e) => e.family === 4).map((e) => e.value));
    expect(added(IPSET_V6)).toEqual(list.entries.filter((e) => e.family === 6).map((e) => e.value));
    expect(lines).toContain(`swap ${IPSET_V4}-tmp ${IPSET_V4}`);
    expect(lines.indexOf(`create ${IPSET_V6} hash:net family inet6 maxelem 65536 -exist`)).toBeGreaterThan(
      -1,
    );
    expect(comments(text).join('\n')).toContain(
      `iptables -I INPUT -m set --match-set ${IPSET_V4} src -j DROP`,
    );
    const hostileLines = body(renderIpset(hostile()));
    expect(hostileLines.filter((l) => l.startsWith('add '))).toEqual([
      `add ${IPSET_V4}-tmp 192.0.2.1 -exist`,
    ]);
    for (const l of hostileLines) expect(l, l).toMatch(LINE);
  });
});

/** The sets of an nft script: name → { type, elements }; throws on unbalanced braces. */
function parseNft(text: string): Map<string, { type: string; elements: string[] }> {
  const code = body(text).join('\n');
  let depth = 0;
  for (const c of code) {
    if (c === '{') depth++;
    if (c === '}') depth--;
    if (depth < 0) throw new Error('closing brace without opening');
  }
  if (depth !== 0) throw new Error(`unbalanced braces (${depth})`);
  const sets = new Map<string, { type: string; elements: string[] }>();
  for (const m of code.matchAll(/set (\w+) \{([^{}]*(?:\{[^{}]*\}[^{}]*)?)\}/g)) {
    const inner = m[2] ?? '';
    const elements = /elements = \{([^}]*)\}/.exec(inner)?.[1];
    sets.set(m[1] ?? '', {
      type: /type (\w+)/.exec(inner)?.[1] ?? '',
      elements: elements === undefined ? [] : elements.split(',').map((s) => s.trim()),
    });
  }
  return sets;
}

describe('nftables', () => {
  it('declares the table, both interval sets with every element, and the drop rules', () => {
    const list = networks();
    const text = renderNft(list);
    const sets = parseNft(text);
    expect(sets.get('blocklist_v4')).toEqual({
      type: 'ipv4_addr',
      elements: list.entries.filter((e) => e.family === 4).map((e) => e.value),
    });
    expect(sets.get('blocklist_v6')?.elements).toEqual(['2001:db8:1::/48']);
    const code = body(text);
    expect(code.slice(0, 3)).toEqual([
      'table inet stormwatch',
      'delete table inet stormwatch',
      'table inet stormwatch {',
    ]);
    expect(code.filter((l) => l.includes('flags interval'))).toHaveLength(2);
    expect(code).toContain('    ip saddr @blocklist_v4 drop');
  });

  it('writes no elements line for an empty set', () => {
    const text = renderNft(build('networks', [totals('203.0.113.1')]));
    expect(parseNft(text).get('blocklist_v6')).toEqual({ type: 'ipv6_addr', elements: [] });
    expect(text).not.toMatch(/elements = \{\s*\}/);
  });
});

/** Whether the nft tool is installed (its check mode parses a script without touching the kernel's rules). */
function hasNft(): boolean {
  try {
    execFileSync('nft', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!hasNft())('nftables, checked by nft itself', () => {
  it('accepts every script (nft -c), and refuses a broken one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-nft-'));
    try {
      const check = (text: string): void => {
        const file = join(dir, 'list.nft');
        writeFileSync(file, text);
        execFileSync('nft', ['-c', '-f', file], { stdio: 'pipe' });
      };
      check(renderNft(networks()));
      check(renderNft(build('sources', sampleSources())));
      check(renderNft(build('networks', [])));
      check(renderNft(hostile()));
      expect(() => check(renderNft(networks()).replace('flags interval', 'flags interval }'))).toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('pf', () => {
  it('is a pfctl table file: comments and one entry per line', () => {
    const list = networks();
    const text = renderPf(list);
    expect(body(text)).toEqual(list.entries.map((e) => e.value));
    expect(comments(text).join('\n')).toContain('pfctl -t stormwatch -T replace -f');
  });
});

describe('csv', () => {
  it('parses back with csv-parse: the columns and one row per entry', () => {
    const list = networks();
    const rows = parseCsv<Record<string, string>>(renderCsv(list), { columns: true });
    expect(Object.keys(rows[0] ?? {})).toEqual([...CSV_COLUMNS]);
    expect(rows.map((r) => r.cidr)).toEqual(list.entries.map((e) => e.cidr));
    expect(rows[0]).toMatchObject({
      events: '150',
      sources: '2',
      ports: 'udp/5060 30; tcp/445 15; tcp/1433 5',
      top_sources: '203.0.113.7 120; 203.0.113.9 30',
      asn: '64500',
      reason: list.entries[0]?.reason,
    });
    expect(rows[2]).toMatchObject({ country: '', asn: '', as_name: '' });
  });

  it('neutralises formula cells and quotes separators', () => {
    const rows = parseCsv<Record<string, string>>(renderCsv(hostile()), { columns: true });
    expect(rows[0]?.as_name).toBe(`'=HYPERLINK("http://x")`);
    expect(rows[0]?.country).toBe("'+1");
    for (const c of ['=1+2', '+1', '-1', '@SUM(A1)', '\tx', '\rx'])
      expect(csvCell(c).replace(/^"/, '')).toMatch(/^'/);
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell(null)).toBe('');
  });
});

describe('STIX 2.1', () => {
  it('is a valid bundle: the identity and one indicator per entry, expiring with the entry', () => {
    const list = networks();
    const bundle = renderStix(list);
    expect(validateStix(bundle)).toEqual([]);
    const [identity, ...indicators] = bundle.objects;
    expect(identity?.type).toBe('identity');
    expect(indicators.map((i) => (i as StixIndicator).pattern)).toEqual([
      "[ipv4-addr:value = '203.0.113.0/24']",
      "[ipv6-addr:value = '2001:db8:1::/48']",
      "[ipv4-addr:value = '198.51.100.0/24']",
    ]);
    const first = indicators[0] as StixIndicator;
    expect(first).toMatchObject({
      created_by_ref: identity?.id,
      indicator_types: ['malicious-activity'],
      labels: ['malicious-activity'],
      valid_from: new Date(list.entries[0]?.first_seen ?? 0).toISOString(),
      valid_until: new Date(list.entries[0]?.expires ?? 0).toISOString(),
    });
    expect(first.description).toContain(list.entries[0]?.reason);
  });

  it('gives the same ids on a re-export, and the registry serves it as JSON text', () => {
    const a = renderStix(networks());
    const b = JSON.parse(FORMATS['stix.json'].render(networks())) as typeof a;
    expect(b).toEqual(a);
    expect(validateStix(renderStix(hostile()))).toEqual([]);
  });
});
