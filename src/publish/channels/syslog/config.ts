/** Config of a syslog (CEF) channel (docs/CHANNELS.md). */
import { z } from 'zod';
import { baseChannelShape } from '../config-base.js';
import { FACILITIES } from './cef.js';

export const syslogConfigSchema = z
  .strictObject({
    type: z.literal('syslog'),
    ...baseChannelShape,
    protocol: z.enum(['udp', 'tcp']).default('udp'),
    host: z.string().min(1).max(253),
    port: z.number().int().min(1).max(65535).default(514),
    facility: z.enum(Object.keys(FACILITIES) as [keyof typeof FACILITIES]).default('local0'),
    /** HOSTNAME of the syslog header (default: this machine's name). */
    hostname: z.string().min(1).max(255).optional(),
    app_name: z.string().min(1).max(48).default('stormwatch'),
    /** Longest line sent (default 2048 over UDP, RFC 5426; 65536 over TCP). */
    max_message_bytes: z.number().int().min(480).max(1_048_576).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.protocol === 'udp' && (v.max_message_bytes ?? 0) > 65_507) {
      ctx.addIssue({
        code: 'custom',
        path: ['max_message_bytes'],
        message: 'a UDP datagram holds at most 65507 bytes',
      });
    }
  });

export type SyslogConfig = z.infer<typeof syslogConfigSchema>;
