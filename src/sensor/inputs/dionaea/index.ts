/** The dionaea honeypot input: the log_json ihandler's file, one record per connection (see parser.ts). */
import type { LineInputDefinition } from '../registry.js';
import { DionaeaParser } from './parser.js';

export { DIONAEA_MALFORMED_REASONS, DionaeaParser } from './parser.js';
export type { DionaeaMalformedReason } from './parser.js';

export const dionaeaInput: LineInputDefinition = {
  type: 'dionaea',
  kind: 'lines',
  description: 'Dionaea honeypot log_json records: accepted and rejected inbound connections',
  examples: [
    '{"connection": {"protocol": "smbd", "transport": "tcp", "type": "accept"}, "dst_ip": "192.0.2.2", "dst_port": 445, "src_hostname": "", "src_ip": "198.51.100.1", "src_port": 59388, "timestamp": "2024-05-17T07:05:24.106767"}',
    '{"connection": {"protocol": "mysqld", "transport": "tcp", "type": "accept"}, "dst_ip": "192.0.2.2", "dst_port": 3306, "src_hostname": "", "src_ip": "203.0.113.77", "src_port": 33776, "timestamp": "2024-05-17T07:15:47.580696", "credentials": {"password": [""], "username": ["root"]}}',
    '{"connection": {"protocol": "ftpd", "transport": "tcp", "type": "accept"}, "dst_ip": "::ffff:192.0.2.69", "dst_port": 21, "src_hostname": "", "src_ip": "::ffff:198.51.100.50", "src_port": 29438, "timestamp": "2024-05-17T10:32:55", "ftp": {"commands": {"arguments": ["anonymous", "anonymous"], "command": ["USER", "PASS"]}}}',
  ],
  createParser: () => new DionaeaParser(),
};
