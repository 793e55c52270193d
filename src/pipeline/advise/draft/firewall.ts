/**
 * Firewall snippets that block NEW inbound connections to the recommended ranges, for iptables, nftables, pf and
 * Windows Firewall (netsh advfirewall and PowerShell New-NetFirewallRule).
 *
 * Invariants:
 * - Every rule matches new inbound connections only (conntrack NEW, ct state new; pf and Windows Firewall are
 *   stateful and pass replies by their state), so replies to the host's own outbound connections on high ports
 *   still pass. The untrusted side is a placeholder interface (WAN_IF, ext_if) or the Public profile.
 * - Ports come only from BlockRange numbers (validated 0..65535), never from free text, so no snippet can carry
 *   an injected command.
 */
import type { BlockRange, FirewallSnippets } from '../../../protocol/advisory-types.js';
import { rangeText } from './block.js';

const byProto = (ranges: readonly BlockRange[]): Array<['tcp' | 'udp', BlockRange[]]> =>
  (['tcp', 'udp'] as const)
    .map((p): ['tcp' | 'udp', BlockRange[]] => [p, ranges.filter((r) => r.proto === p)])
    .filter(([, rs]) => rs.length > 0);

function iptables(ranges: readonly BlockRange[]): string {
  const lines = [
    '# Drop new inbound connections from the untrusted side (set WAN_IF to its interface).',
    '# On a router, use the FORWARD chain; repeat with ip6tables for IPv6.',
    'WAN_IF=eth0',
  ];
  for (const r of ranges)
    lines.push(
      `iptables -A INPUT -i "$WAN_IF" -p ${r.proto} -m conntrack --ctstate NEW --dport ${rangeText(r, ':')} -j DROP`,
    );
  return lines.join('\n');
}

function nftables(ranges: readonly BlockRange[]): string {
  const lines = [
    '# Drop new inbound connections from the untrusted side (set WAN_IF to its interface); inet covers IPv4 and IPv6.',
    'define WAN_IF = "eth0"',
    'table inet stormwatch_block {',
    '  chain input {',
    '    type filter hook input priority 0; policy accept;',
  ];
  for (const [proto, rs] of byProto(ranges))
    lines.push(
      `    iifname $WAN_IF ct state new ${proto} dport { ${rs.map((r) => rangeText(r)).join(', ')} } drop`,
    );
  lines.push('  }', '}');
  return lines.join('\n');
}

function pf(ranges: readonly BlockRange[]): string {
  const lines = [
    '# pf.conf: block new inbound connections on the external interface (set ext_if).',
    'ext_if = "em0"',
  ];
  for (const [proto, rs] of byProto(ranges))
    lines.push(
      `block in quick on $ext_if proto ${proto} from any to any port { ${rs.map((r) => rangeText(r, ':')).join(', ')} }`,
    );
  return lines.join('\n');
}

const ruleName = (proto: string, rs: readonly BlockRange[]): string =>
  `Stormwatch: block inbound ${proto.toUpperCase()} ${rs.map((r) => rangeText(r)).join(',')}`;

function netsh(ranges: readonly BlockRange[]): string {
  const lines = [
    'rem Windows Firewall (elevated prompt): block rules win over allow rules; the Public profile is the untrusted one.',
  ];
  for (const [proto, rs] of byProto(ranges))
    lines.push(
      `netsh advfirewall firewall add rule name="${ruleName(proto, rs)}" dir=in action=block ` +
        `protocol=${proto.toUpperCase()} localport=${rs.map((r) => rangeText(r)).join(',')} profile=public`,
    );
  return lines.join('\n');
}

function powershell(ranges: readonly BlockRange[]): string {
  const lines = [
    '# Windows Firewall (elevated PowerShell): block rules win over allow rules; Public is the untrusted profile.',
  ];
  for (const [proto, rs] of byProto(ranges))
    lines.push(
      `New-NetFirewallRule -DisplayName "${ruleName(proto, rs)}" -Direction Inbound -Action Block ` +
        `-Protocol ${proto.toUpperCase()} -LocalPort ${rs.map((r) => `'${rangeText(r)}'`).join(',')} -Profile Public`,
    );
  return lines.join('\n');
}

/**
 * @example firewallSnippets([{ proto: 'tcp', from: 1024, to: 65535, reasons: [] }]).iptables
 */
export function firewallSnippets(ranges: readonly BlockRange[]): FirewallSnippets {
  return {
    iptables: iptables(ranges),
    nftables: nftables(ranges),
    pf: pf(ranges),
    netsh: netsh(ranges),
    powershell: powershell(ranges),
  };
}
