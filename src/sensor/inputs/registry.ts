/**
 * The input registry: config `type` → definition. Adding a log format touches one new folder under inputs/,
 * one line here and one row of docs (docs/ARCHITECTURE.md and src/sensor/README.md).
 * Invariant: every `lines` type passes the shared contract suite (contract.test.ts iterates this map); packet
 * and listener types have contract suites of their own kind.
 */
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Clock } from '../../core/clock.js';
import { makeError } from '../../core/errors.js';
import type {
  InputParser,
  Listener,
  ListenerSink,
  PacketDecoder,
  ParseContext,
  ParseResult,
} from './input.js';
import { createIptablesParser } from './iptables/index.js';
import { ciscoAsaInput } from './cisco-asa/index.js';
import { cowrieInput, cowrieTextInput } from './cowrie/index.js';
import { dionaeaInput } from './dionaea/index.js';
import { dshieldInput } from './dshield/index.js';
import { filterlogInput } from './filterlog/index.js';
import { csvInput, jsonlInput } from './generic/index.js';
import { fortinetInput } from './fortinet/index.js';
import { journaldInput } from './journald/index.js';
import { juniperInput } from './juniper/index.js';
import { paloaltoInput } from './paloalto/index.js';
import { opencanaryInput } from './opencanary/index.js';
import { pfInput } from './pf/index.js';
import { pcapInput } from './pcap/index.js';
import { suricataInput } from './suricata/index.js';
import { windowsFirewallInput } from './windows-firewall/index.js';
import { zeekInput } from './zeek/index.js';
import { tcpListenerInput, udpListenerInput } from './listener/index.js';

/** Options every input understands (from the config's `inputs[]` entry). */
export interface InputOptions {
  /** Zone of time stamps that carry none (classic syslog). */
  timezone: 'utc' | 'local';
  /** The entry's `options`, already validated by the definition's optionsSchema (undefined when it has none). */
  options?: unknown;
}

interface DefinitionBase {
  readonly type: string;
  readonly description: string;
  /** Schema of the config entry's `options` object, for inputs that take any (field maps, ports, ...). */
  readonly optionsSchema?: z.ZodType;
}

/** A text format read line by line from a followed file (or a command's output). */
export interface LineInputDefinition extends DefinitionBase {
  readonly kind: 'lines';
  /** A few typical lines, each giving an event (docs and the contract suite's fuzzing start from them). */
  readonly examples: readonly string[];
  createParser(options: InputOptions): InputParser;
}

/** A binary capture file (pcap, pcapng). */
export interface PacketInputDefinition extends DefinitionBase {
  readonly kind: 'packets';
  createDecoder(options: InputOptions): PacketDecoder;
}

/** A socket listener: no file; `path` is not used. */
export interface ListenerInputDefinition extends DefinitionBase {
  readonly kind: 'listener';
  createListener(options: InputOptions, sink: ListenerSink, deps: { clock: Clock; logger: Logger }): Listener;
}

/** One line of a command's output: its result, and the cursor to resume after it (when the command has one). */
export interface CommandLineResult {
  result: ParseResult;
  cursor?: string | undefined;
}

/** Lines from a long-running command (journalctl -o json --follow). */
export interface CommandInputDefinition extends DefinitionBase {
  readonly kind: 'command';
  /** A few typical output lines, each giving an event. */
  readonly examples: readonly string[];
  /**
   * The argv to run: `cursor` resumes after the last line handed on (else `start` says whether to read what is
   * there already); `follow` keeps it running.
   */
  command(
    options: InputOptions,
    at: { cursor?: string | undefined; follow: boolean; start: 'beginning' | 'end' },
  ): string[];
  createLineParser(options: InputOptions): (line: string, ctx: ParseContext) => CommandLineResult;
}

export type InputDefinition =
  LineInputDefinition | PacketInputDefinition | ListenerInputDefinition | CommandInputDefinition;

const DEFINITIONS: readonly InputDefinition[] = [
  {
    type: 'iptables',
    kind: 'lines',
    description: 'Linux netfilter LOG lines (iptables, ip6tables, nftables, ufw, Shorewall, Proxmox)',
    examples: [
      'Mar 11 20:35:11 gw kernel: [463490.251762] DROP IN=eth1 OUT= MAC=23:87:fc:c6:24:58:00:21:3f:98:99:78:09:00 SRC=198.51.100.55 DST=192.0.2.1 LEN=44 TOS=0x00 PREC=0x00 TTL=53 ID=15270 PROTO=TCP SPT=56247 DPT=1025 WINDOW=3072 RES=0x00 SYN URGP=0 OPT (020405B4)',
      '2015-03-07T05:09:30.045015+02:00 gw kernel: [UFW BLOCK] IN=eth0 OUT= MAC= SRC=2001:0db8:0000:f101:0000:0000:0000:0002 DST=2001:0db8:0000:f101:0000:0000:0000:0001 LEN=72 TC=0 HOPLIMIT=255 FLOWLBL=0 PROTO=ICMPv6 TYPE=128 CODE=0 ID=1 SEQ=1',
      'Feb  9 20:55:06 gw kernel: Shorewall:net:DROP:IN=eth0 OUT= SRC=203.0.113.5 DST=192.0.2.1 LEN=189 TOS=0x00 PREC=0x00 TTL=64 ID=45067 DF PROTO=UDP SPT=33197 DPT=62201 LEN=169',
    ],
    createParser: (o) => createIptablesParser({ timezone: o.timezone }),
  },
  dshieldInput,
  pfInput,
  filterlogInput,
  windowsFirewallInput,
  ciscoAsaInput,
  juniperInput,
  fortinetInput,
  paloaltoInput,
  zeekInput,
  suricataInput,
  cowrieInput,
  cowrieTextInput,
  dionaeaInput,
  opencanaryInput,
  jsonlInput,
  csvInput,
  journaldInput,
  pcapInput,
  tcpListenerInput,
  udpListenerInput,
];

export const INPUTS: ReadonlyMap<string, InputDefinition> = new Map(DEFINITIONS.map((d) => [d.type, d]));

/** The line-format inputs (what the contract suite, `sensor parse` and the parse benchmark iterate). */
export const LINE_INPUTS: readonly LineInputDefinition[] = DEFINITIONS.filter(
  (d): d is LineInputDefinition => d.kind === 'lines',
);

/** @throws SW_CONFIG_INVALID for an unknown type. @example getInput('iptables') */
export function getInput(type: string): InputDefinition {
  const def = INPUTS.get(type);
  if (def === undefined) {
    throw makeError(
      'SW_CONFIG_INVALID',
      `unknown input type ${JSON.stringify(type)} (known: ${[...INPUTS.keys()].join(', ')})`,
    );
  }
  return def;
}
