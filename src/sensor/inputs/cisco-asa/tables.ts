/**
 * Fixed vocabularies of Cisco ASA / PIX / FTD messages: protocol words, the port literals the ASA prints instead
 * of numbers (`outside:192.0.2.1/ssh`), ICMP type names of FTD connection events, and TCP flag words.
 * Sources: Cisco "ASA CLI configuration guide > Reference > Addresses, Protocols, and Ports" (the tables of
 * protocol and TCP/UDP port literals) and RFC 792 / RFC 4443 for ICMP type numbers.
 */
import type { Protocol } from '../../../core/event.js';

/** IP protocol number of a protocol word (lower case), as ASA access lists and messages spell them. */
const PROTOCOL_NUMBERS: ReadonlyMap<string, number> = new Map([
  ['ip', 0], // "any IP protocol": the message does not say which
  ['icmp', 1],
  ['igmp', 2],
  ['ipinip', 4],
  ['tcp', 6],
  ['igrp', 9],
  ['udp', 17],
  ['gre', 47],
  ['esp', 50],
  ['ipsec', 50],
  ['ah', 51],
  ['ahp', 51],
  ['icmp6', 58],
  ['icmpv6', 58],
  ['ipv6-icmp', 58],
  ['eigrp', 88],
  ['ospf', 89],
  ['nos', 94],
  ['pim', 103],
  ['pcp', 108],
  ['snp', 109],
  ['sctp', 132],
]);

/** IP protocol number of a word or decimal number, or -1 when it is neither. */
export function protocolNumber(word: string): number {
  const c = word.charCodeAt(0);
  if (c >= 48 && c <= 57) {
    if (word.length > 3 || !/^\d+$/.test(word)) return -1;
    const n = Number(word);
    return n <= 255 ? n : -1;
  }
  return PROTOCOL_NUMBERS.get(word.toLowerCase()) ?? -1;
}

/** Event protocol of an IP protocol number: the four named ones, `other` for the rest. */
export function protocolOf(n: number): Protocol {
  return n === 6 ? 'tcp' : n === 17 ? 'udp' : n === 1 ? 'icmp' : n === 58 ? 'icmp6' : 'other';
}

/** TCP/UDP port literals of the ASA (names it prints in place of a port number). */
const SERVICE_PORTS: ReadonlyMap<string, number> = new Map([
  ['aol', 5190],
  ['bgp', 179],
  ['biff', 512],
  ['bootpc', 68],
  ['bootps', 67],
  ['chargen', 19],
  ['cifs', 3020],
  ['citrix-ica', 1494],
  ['cmd', 514],
  ['ctiqbe', 2748],
  ['daytime', 13],
  ['discard', 9],
  ['dnsix', 195],
  ['domain', 53],
  ['echo', 7],
  ['exec', 512],
  ['finger', 79],
  ['ftp', 21],
  ['ftp-data', 20],
  ['gopher', 70],
  ['h323', 1720],
  ['hostname', 101],
  ['http', 80],
  ['https', 443],
  ['ident', 113],
  ['imap4', 143],
  ['irc', 194],
  ['isakmp', 500],
  ['kerberos', 750],
  ['klogin', 543],
  ['kshell', 544],
  ['ldap', 389],
  ['ldaps', 636],
  ['login', 513],
  ['lotusnotes', 1352],
  ['lpd', 515],
  ['mobile-ip', 434],
  ['nameserver', 42],
  ['netbios-dgm', 138],
  ['netbios-ns', 137],
  ['netbios-ssn', 139],
  ['nfs', 2049],
  ['nntp', 119],
  ['ntp', 123],
  ['pcanywhere-data', 5631],
  ['pcanywhere-status', 5632],
  ['pim-auto-rp', 496],
  ['pop2', 109],
  ['pop3', 110],
  ['pptp', 1723],
  ['radius', 1645],
  ['radius-acct', 1646],
  ['rip', 520],
  ['rsh', 514],
  ['rtsp', 554],
  ['secureid-udp', 5510],
  ['sip', 5060],
  ['smtp', 25],
  ['snmp', 161],
  ['snmptrap', 162],
  ['sqlnet', 1521],
  ['ssh', 22],
  ['sunrpc', 111],
  ['syslog', 514],
  ['tacacs', 49],
  ['talk', 517],
  ['telnet', 23],
  ['tftp', 69],
  ['time', 37],
  ['uucp', 540],
  ['vxlan', 4789],
  ['who', 513],
  ['whois', 43],
  ['www', 80],
  ['xdmcp', 177],
]);

/** Port number of an ASA port literal, or -1. */
export function servicePort(name: string): number {
  return SERVICE_PORTS.get(name) ?? SERVICE_PORTS.get(name.toLowerCase()) ?? -1;
}

/** ICMP (RFC 792) type numbers by the names FTD connection events print (`ICMPType: Echo Request`). */
const ICMP_TYPES: ReadonlyMap<string, number> = new Map([
  ['echo reply', 0],
  ['destination unreachable', 3],
  ['source quench', 4],
  ['redirect', 5],
  ['alternate host address', 6],
  ['echo request', 8],
  ['echo', 8],
  ['router advertisement', 9],
  ['router solicitation', 10],
  ['time exceeded', 11],
  ['parameter problem', 12],
  ['timestamp request', 13],
  ['timestamp', 13],
  ['timestamp reply', 14],
  ['information request', 15],
  ['information reply', 16],
  ['address mask request', 17],
  ['address mask reply', 18],
]);

/** ICMPv6 (RFC 4443, RFC 4861) type numbers by name. */
const ICMP6_TYPES: ReadonlyMap<string, number> = new Map([
  ['destination unreachable', 1],
  ['packet too big', 2],
  ['time exceeded', 3],
  ['parameter problem', 4],
  ['echo request', 128],
  ['echo reply', 129],
  ['router solicitation', 133],
  ['router advertisement', 134],
  ['neighbor solicitation', 135],
  ['neighbor advertisement', 136],
  ['redirect', 137],
]);

/** ICMP type of a decimal number or a type name, or -1. */
export function icmpType(text: string, v6: boolean): number {
  if (/^\d{1,3}$/.test(text)) {
    const n = Number(text);
    return n <= 255 ? n : -1;
  }
  return (v6 ? ICMP6_TYPES : ICMP_TYPES).get(text.toLowerCase()) ?? -1;
}

/** Bit (FSRPAUEC order, as iptables/fields.ts FLAG_STRINGS) of a TCP flag word as the ASA prints it, or -1. */
export function flagBit(word: string): number {
  switch (word) {
    case 'FIN':
      return 1;
    case 'SYN':
      return 2;
    case 'RST':
      return 4;
    case 'PSH':
      return 8;
    case 'ACK':
      return 16;
    case 'URG':
      return 32;
    case 'ECE':
      return 64;
    case 'CWR':
      return 128;
    default:
      return -1;
  }
}
