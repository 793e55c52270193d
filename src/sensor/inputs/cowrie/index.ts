/**
 * The cowrie honeypot inputs: `cowrie` reads the JSON log (cowrie.json), `cowrie-text` the text log (cowrie.log).
 * Both count one attempt per session start (`cowrie.session.connect` / `New connection:`); see parser.ts, text.ts.
 */
import type { LineInputDefinition } from '../registry.js';
import { CowrieJsonParser } from './parser.js';
import { CowrieTextParser } from './text.js';

export { COWRIE_MALFORMED_REASONS, CowrieJsonParser } from './parser.js';
export type { CowrieMalformedReason, CowrieParserOptions } from './parser.js';
export { COWRIE_TEXT_MALFORMED_REASONS, CowrieTextParser } from './text.js';
export type { CowrieTextMalformedReason, CowrieTextParserOptions } from './text.js';

export const cowrieInput: LineInputDefinition = {
  type: 'cowrie',
  kind: 'lines',
  description: 'Cowrie honeypot JSON log (cowrie.json): one attempt per cowrie.session.connect',
  examples: [
    '{"eventid":"cowrie.session.connect","src_ip":"198.51.100.23","src_port":46966,"dst_ip":"192.0.2.68","dst_port":2222,"session":"76647820c016","protocol":"ssh","message":"New connection: 198.51.100.23:46966 (192.0.2.68:2222) [session: 76647820c016]","sensor":"","timestamp":"2024-01-26T21:59:42.976396Z"}',
    '{"session":"9f8e7d6c5b4a","protocol":"telnet","src_ip":"203.0.113.9","src_port":52344,"dst_ip":"192.0.2.2","dst_port":23,"eventid":"cowrie.session.connect","sensor":"580d0186ebeb","uuid":"9f8e7d6c-8fc4-11f1-9350-ee70fe9b2de3","timestamp":"2026-08-13T00:05:00.000000Z","message":"New connection: 203.0.113.9:52344 (192.0.2.2:23) [session: 9f8e7d6c5b4a]"}',
    '{"eventid":"cowrie.session.connect","src_ip":"2001:db8:1::7","src_port":40022,"dst_ip":"2001:db8::2","dst_port":2222,"session":"a1b2c3d4e5f6","protocol":"ssh","timestamp":"2024-03-01T08:00:01.5Z"}',
  ],
  createParser: (o) => new CowrieJsonParser({ timezone: o.timezone }),
};

export const cowrieTextInput: LineInputDefinition = {
  type: 'cowrie-text',
  kind: 'lines',
  description:
    'Cowrie honeypot text log (cowrie.log, also via syslog): one attempt per "New connection:" line',
  examples: [
    '2024-01-26T21:59:42.976396Z [cowrie.ssh.factory.CowrieSSHFactory] New connection: 198.51.100.23:46966 (192.0.2.68:2222) [session: 76647820c016]',
    '2016-08-31T08:31:10-0400 [cowrie.telnet.transport.HoneyPotTelnetFactory] New connection: ::ffff:198.51.100.126:52034 (::ffff:192.0.2.144:2223) [session: 1]',
    'Dec  8 06:28:43 honeypot cowrie[2806]: 2020-12-08T06:28:43+0000 [cowrie.ssh.factory.CowrieSSHFactory] New connection: 203.0.113.1:47630 (192.0.2.4:2222) [session: 3e5a9212b91f]',
  ],
  createParser: (o) => new CowrieTextParser({ timezone: o.timezone }),
};
