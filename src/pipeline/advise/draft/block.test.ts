/** Block planning and firewall snippets: parsing, merging, refusal of malformed entries, every syntax. */
import { describe, expect, it } from 'vitest';
import { correlation1025 } from '../test-helpers.js';
import { mergeRanges, parseBlock, planBlocks, topCandidates } from './block.js';
import { firewallSnippets } from './firewall.js';

describe('parseBlock', () => {
  it('accepts single ports and ranges of tcp and udp', () => {
    expect(parseBlock('tcp/135')).toEqual({ proto: 'tcp', from: 135, to: 135 });
    expect(parseBlock(' UDP/1024-65535 ')).toEqual({ proto: 'udp', from: 1024, to: 65535 });
  });
  it('refuses malformed entries', () => {
    for (const bad of [
      'tcp/70000',
      'tcp/5-1',
      'icmp/8',
      'tcp/1;rm -rf /',
      'tcp/',
      '135',
      'tcp/1-2-3',
      'tcp/123456',
    ])
      expect(parseBlock(bad), bad).toBeNull();
  });
});

describe('mergeRanges and planBlocks', () => {
  it('merges overlapping and adjacent ranges per protocol and unites reasons', () => {
    const m = mergeRanges([
      { proto: 'tcp', from: 1025, to: 5000, reasons: ['a'] },
      { proto: 'udp', from: 53, to: 53, reasons: ['d'] },
      { proto: 'tcp', from: 5001, to: 6000, reasons: ['b'] },
      { proto: 'tcp', from: 1024, to: 1030, reasons: ['c', 'a'] },
    ]);
    expect(m).toEqual([
      { proto: 'tcp', from: 1024, to: 6000, reasons: ['c', 'a', 'b'] },
      { proto: 'udp', from: 53, to: 53, reasons: ['d'] },
    ]);
  });

  it('uses only the top candidates and reports malformed block entries', () => {
    const c = correlation1025([]);
    expect(topCandidates(c.services).map((s) => s.name)).toEqual(['msrpc-dynamic']);
    c.services[0]?.block.push('tcp/99999');
    const plan = planBlocks('tcp', 1025, c);
    expect(plan.skipped).toEqual(['msrpc-dynamic: tcp/99999']);
    expect(plan.ranges.map((r) => [r.from, r.to])).toEqual([
      [135, 135],
      [1024, 65535],
    ]);
  });

  it('blocks a udp port under attack on udp', () => {
    expect(planBlocks('udp', 1900, null).ranges).toEqual([
      { proto: 'udp', from: 1900, to: 1900, reasons: ['the attacked port'] },
    ]);
    expect(planBlocks('icmp', 8, null).ranges).toEqual([]);
  });
});

describe('firewallSnippets', () => {
  const fw = firewallSnippets([
    { proto: 'tcp', from: 135, to: 135, reasons: [] },
    { proto: 'tcp', from: 1024, to: 65535, reasons: [] },
    { proto: 'udp', from: 1900, to: 1900, reasons: [] },
  ]);

  it('matches only new connections in iptables and nftables', () => {
    expect(fw.iptables.split('\n').filter((l) => l.startsWith('iptables'))).toEqual([
      'iptables -A INPUT -i "$WAN_IF" -p tcp -m conntrack --ctstate NEW --dport 135 -j DROP',
      'iptables -A INPUT -i "$WAN_IF" -p tcp -m conntrack --ctstate NEW --dport 1024:65535 -j DROP',
      'iptables -A INPUT -i "$WAN_IF" -p udp -m conntrack --ctstate NEW --dport 1900 -j DROP',
    ]);
    expect(fw.nftables).toContain('iifname $WAN_IF ct state new tcp dport { 135, 1024-65535 } drop');
    expect(fw.nftables).toContain('iifname $WAN_IF ct state new udp dport { 1900 } drop');
    expect(fw.nftables).toContain('type filter hook input priority 0; policy accept;');
  });

  it('writes pf and both Windows syntaxes with their range notations', () => {
    expect(fw.pf).toContain('block in quick on $ext_if proto tcp from any to any port { 135, 1024:65535 }');
    expect(fw.netsh).toContain(
      'netsh advfirewall firewall add rule name="Stormwatch: block inbound TCP 135,1024-65535" dir=in action=block protocol=TCP localport=135,1024-65535 profile=public',
    );
    expect(fw.powershell).toContain(
      `New-NetFirewallRule -DisplayName "Stormwatch: block inbound UDP 1900" -Direction Inbound -Action Block -Protocol UDP -LocalPort '1900' -Profile Public`,
    );
  });
});
