/**
 * The `dshield` input: the DShield sensor's /var/log/dshield.log (epoch-stamped netfilter lines with the
 * DSHIELDINPUT prefix). See parser.ts for the accepted shapes.
 */
import type { LineInputDefinition } from '../registry.js';
import { DshieldParser } from './parser.js';

export { DshieldParser, DSHIELD_MALFORMED_REASONS } from './parser.js';
export type { DshieldParserOptions, DshieldMalformedReason } from './parser.js';

export const dshieldInput: LineInputDefinition = {
  type: 'dshield',
  kind: 'lines',
  description: 'DShield sensor /var/log/dshield.log (epoch-stamped netfilter lines, DSHIELDINPUT prefix)',
  examples: [
    '1706444158 BigDshield kernel:[81448.170206]  DSHIELDINPUT IN=eth0 OUT= MAC=06:a6:67:a1:06:97:06:47:24:e8:0b:15:08:00 SRC=198.51.100.111 DST=192.0.2.68 LEN=44 TOS=0x00 PREC=0x00 TTL=244 ID=54321 PROTO=TCP SPT=50916 DPT=22 WINDOW=65535 RES=0x00 SYN URGP=0 ',
    '1707111167 sensor kernel: DSHIELDINPUT IN=eth0 OUT= MAC=06:a6:67:a1:06:97:06:47:24:e8:0b:15:08:00 SRC=203.0.113.99 DST=192.0.2.68 LEN=62 TOS=0x08 PREC=0x20 TTL=234 ID=54321 PROTO=UDP SPT=35622 DPT=161 LEN=42 ',
    'Feb  5 06:12:44 sensor kernel: [ 1072.541434] DSHIELDINPUT IN=eth0 OUT= MAC=06:a6:67:a1:06:97:06:47:24:e8:0b:15:08:00 SRC=198.51.100.99 DST=192.0.2.68 LEN=44 TOS=0x08 PREC=0x20 TTL=234 ID=54321 PROTO=TCP SPT=52668 DPT=23 WINDOW=65535 RES=0x00 SYN URGP=0 ',
  ],
  createParser: (o) => new DshieldParser({ timezone: o.timezone }),
};
