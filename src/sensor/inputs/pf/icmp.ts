/**
 * ICMP and ICMPv6 message types from the text tcpdump prints for them (print-icmp.c and print-icmp6.c, both the
 * OpenBSD `icmp: echo request` style and the tcpdump.org `ICMP echo request, id 1, ...` style).
 * Invariant: prefixes are tried in order, so a longer name comes before a shorter one it starts with.
 */

const ICMP4: ReadonlyArray<readonly [string, number]> = [
  ['echo reply', 0],
  ['echo request', 8],
  ['source quench', 4],
  ['redirect', 5],
  ['router advertisement', 9],
  ['router solicitation', 10],
  ['time exceeded', 11],
  ['ip reassembly time exceeded', 11],
  ['parameter problem', 12],
  ['time stamp request', 13],
  ['time stamp query', 13],
  ['time stamp reply', 14],
  ['information request', 15],
  ['information reply', 16],
  ['address mask request', 17],
  ['address mask is', 18],
  ['address mask reply', 18],
];

const ICMP6: ReadonlyArray<readonly [string, number]> = [
  ['destination unreachable', 1],
  ['packet too big', 2],
  ['too big', 2],
  ['time exceeded', 3],
  ['ip6 reassembly time exceeded', 3],
  ['parameter problem', 4],
  ['echo request', 128],
  ['echo reply', 129],
  ['multicast listener query', 130],
  ['multicast listener report v2', 143],
  ['multicast listener report', 131],
  ['multicast listener done', 132],
  ['router solicitation', 133],
  ['router advertisement', 134],
  ['neighbor sol', 135],
  ['neighbor adv', 136],
  ['redirect', 137],
  ['router renum', 138],
  ['node information query', 139],
  ['who-are-you request', 139],
  ['node information reply', 140],
  ['who-are-you reply', 140],
  ['inverse neighbor solicitation', 141],
  ['inverse neighbor advertisement', 142],
  ['home agent address discovery request', 144],
  ['home agent address discovery reply', 145],
  ['mobile prefix solicitation', 146],
  ['mobile prefix advertisement', 147],
];

/** `type-#42` (tcpdump's name for a type it has no name for) → 42, else -1. */
function numbered(text: string): number {
  if (!text.startsWith('type-#')) return -1;
  let v = 0;
  let i = 6;
  for (; i < text.length && i < 9; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
    v = v * 10 + (c - 48);
  }
  return i > 6 && v <= 255 ? v : -1;
}

function lookup(table: ReadonlyArray<readonly [string, number]>, text: string, unreach: number): number {
  for (const [name, type] of table) if (text.startsWith(name)) return type;
  const n = numbered(text);
  if (n >= 0) return n;
  // "192.0.2.1 udp port 137 unreachable", "net 192.0.2.0 unreachable", "... unreachable - need to frag".
  return text.includes('unreachable') ? unreach : -1;
}

/** ICMP type of tcpdump's text after `icmp: ` / `ICMP `, or -1. @example icmpType('echo request') // 8 */
export function icmpType(text: string): number {
  return lookup(ICMP4, text, 3);
}

/** ICMPv6 type of tcpdump's text after `icmp6: ` / `ICMP6, `, or -1. @example icmp6Type('neighbor sol: who has ::1') // 135 */
export function icmp6Type(text: string): number {
  return lookup(ICMP6, text, 1);
}
