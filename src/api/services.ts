/**
 * Well-known services per port, for labels in the API and dashboard.
 * TODO(intel): the knowledge base in src/intel (port ► services ► vulnerabilities) replaces this table.
 */
import type { Protocol } from '../core/event.js';

const TCP: Readonly<Record<number, readonly string[]>> = {
  21: ['ftp'],
  22: ['ssh'],
  23: ['telnet'],
  25: ['smtp'],
  53: ['dns'],
  80: ['http'],
  110: ['pop3'],
  135: ['msrpc'],
  139: ['smb'],
  143: ['imap'],
  443: ['https'],
  445: ['smb'],
  1025: ['msrpc-dynamic'],
  1433: ['mssql'],
  3306: ['mysql'],
  3389: ['rdp'],
  5060: ['sip'],
  5900: ['vnc'],
  8080: ['http-alt'],
};

const UDP: Readonly<Record<number, readonly string[]>> = {
  53: ['dns'],
  123: ['ntp'],
  137: ['netbios-ns'],
  161: ['snmp'],
  1434: ['mssql-monitor'],
  5060: ['sip'],
};

/** Short names of services commonly found on a port; [] when unknown. */
export function servicesFor(proto: Protocol, port: number): string[] {
  const table = proto === 'tcp' ? TCP : proto === 'udp' ? UDP : undefined;
  return [...(table?.[port] ?? [])];
}
