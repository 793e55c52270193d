import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ianaRegistry } from '../registry.js';
import { tempStore } from '../test-helpers.js';
import type { TempStore } from '../test-helpers.js';
import { loadCurated, loadEntryFile, parseDataText } from './load.js';

let t: TempStore;
beforeEach(() => {
  t = tempStore();
});
afterEach(() => t.close());

const shipped = loadCurated();
const covers = (proto: string, port: number): string[] =>
  shipped.families
    .filter((f) =>
      f.ports.some(
        (p) =>
          p.proto === proto &&
          (p.port === port || (p.range !== undefined && p.range[0] <= port && port <= p.range[1])),
      ),
    )
    .map((f) => f.id);

describe('shipped curated data', () => {
  it('covers the attacked services the knowledge base promises, each family with sources and block rules', () => {
    expect(shipped.families.length).toBeGreaterThanOrEqual(15);
    for (const [proto, port, family] of [
      ['tcp', 135, 'microsoft-rpc'],
      ['tcp', 1025, 'microsoft-rpc'],
      ['tcp', 5000, 'microsoft-rpc'],
      ['tcp', 49152, 'microsoft-rpc'],
      ['tcp', 445, 'smb'],
      ['tcp', 139, 'smb'],
      ['udp', 137, 'netbios'],
      ['udp', 138, 'netbios'],
      ['tcp', 3389, 'rdp'],
      ['tcp', 1433, 'mssql'],
      ['udp', 1434, 'mssql'],
      ['tcp', 23, 'telnet'],
      ['tcp', 2323, 'telnet'],
      ['tcp', 22, 'ssh'],
      ['tcp', 2222, 'ssh'],
      ['tcp', 5900, 'vnc'],
      ['tcp', 3306, 'mysql'],
      ['tcp', 6379, 'redis'],
    ] as const)
      expect(covers(proto, port), `${proto}/${port}`).toContain(family);
    for (const f of shipped.families) {
      expect(f.sources.length, f.id).toBeGreaterThan(0);
      expect(f.block.length, f.id).toBeGreaterThan(0);
    }
  });

  it('names IANA services as the registry does', () => {
    const reg = ianaRegistry();
    for (const f of shipped.families)
      for (const p of f.ports)
        if (p.iana !== undefined && p.port !== undefined)
          expect(reg.lookup(p.proto, p.port)?.name, `${f.id} ${p.proto}/${p.port}`).toBe(p.iana);
  });

  it('holds CVE-2007-1748 with its verified public exploits', () => {
    const v = shipped.vulnerabilities.find((x) => x.id === 'CVE-2007-1748');
    expect(v).toMatchObject({
      published: Date.UTC(2007, 3, 12),
      advisories: ['935964', 'MS07-029'],
      kev: null,
    });
    expect(v?.sources.every((s) => s.kind === 'curated' && /^https?:\/\//.test(s.ref))).toBe(true);
    const x = shipped.exploits.filter((e) => e.cves.includes('CVE-2007-1748'));
    expect(x.map((e) => e.id).sort()).toEqual(['EDB-16366', 'EDB-16748', 'EDB-3737', 'EDB-3740', 'EDB-3746']);
    for (const e of x) expect(e.url).toBe(`https://www.exploit-db.com/exploits/${e.id.slice(4)}`);
  });
});

describe('curated data checks', () => {
  const family = `families:
  - id: good
    name: Good
    description: fine
    ports: [{ proto: tcp, port: 1, service: one, note: n }]
    block: [tcp/1]
    sources: [https://example.org/]
  - id: bad-one
    name: Bad
    description: broken
    ports:
      - { proto: tcp, range: [5000, 1025], service: x, note: n }
    block: [tcp/1-70000]
    sources: []
`;

  it('refuses a broken file naming the file, the entry, the field and the line', () => {
    expect(() => parseDataText(family, 'families-x.yaml')).toThrow(
      /families-x\.yaml: families\[1\] \(id "bad-one"\): ports\[0\]: range must be \[low, high\] \(line 12\); .*block\[0\]: ports must be 0-65535.*\(line 13\); .*sources: Too small/,
    );
    try {
      parseDataText(family, 'families-x.yaml');
    } catch (err) {
      expect(err).toMatchObject({ code: 'SW_INTEL_INVALID' });
    }
  });

  it('refuses invalid YAML, a wrong top level, unknown keys and entries that are not objects', () => {
    for (const [text, why] of [
      ['families: [', /f\.yaml: not valid YAML\/JSON/],
      ['- a\n- b', /f\.yaml: must be an object with families/],
      ['things: []', /f\.yaml: must be an object/],
      [
        'exploits:\n  - id: EDB-1\n    title: t\n    published: 2007-04-15\n    platform: p\n    type: remote\n    sources: [https://x.org/]\n    colour: red',
        /exploits\[0\] \(id "EDB-1"\): Unrecognized key: "colour"/,
      ],
      ['vulnerabilities: [42]', /vulnerabilities\[0\]: .*expected object/],
      [
        'vulnerabilities:\n  - id: CVE-1\n    title: t\n    description: d\n    published: 2007-02-30\n    products: [a:b]\n    sources: [https://x.org/]',
        /published: must be a date/,
      ],
    ] as const)
      expect(() => parseDataText(text, 'f.yaml'), text).toThrow(why);
  });

  it('refuses an id given twice across the files of a folder', () => {
    const dir = join(t.dir, 'data');
    mkdirSync(dir);
    const one = family.slice(0, family.indexOf('  - id: bad-one'));
    writeFileSync(join(dir, 'a.yaml'), one);
    writeFileSync(
      join(dir, 'b.json'),
      JSON.stringify({ families: [{ ...(parseDataText(one, 'a').families[0] ?? {}) }] }),
    );
    expect(() => loadCurated(dir)).toThrow(/family id good is given more than once/);
  });

  it('reads a manual entry file as manual knowledge', () => {
    const path = join(t.dir, 'entry.json');
    writeFileSync(
      path,
      JSON.stringify({
        vulnerabilities: [
          {
            id: 'CVE-2099-0001',
            title: 't',
            description: 'd',
            published: '2099-01-02T03:04:05Z',
            products: ['a:b'],
            sources: ['https://x.org/'],
          },
        ],
      }),
    );
    expect(loadEntryFile(path).vulnerabilities[0]).toMatchObject({
      published: Date.UTC(2099, 0, 2, 3, 4, 5),
      sources: [{ kind: 'manual', ref: 'https://x.org/' }],
      cvss: null,
      kev: null,
    });
  });
});
