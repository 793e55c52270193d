/** The OpenCanary input: its JSON log lines, one attempt per record of a remote host touching a service. */
import type { LineInputDefinition } from '../registry.js';
import { OpenCanaryParser } from './parser.js';

export { OPENCANARY_MALFORMED_REASONS, OpenCanaryParser } from './parser.js';
export type { OpenCanaryMalformedReason } from './parser.js';

export const opencanaryInput: LineInputDefinition = {
  type: 'opencanary',
  kind: 'lines',
  description:
    'OpenCanary JSON log: service touches (logtype 2000+) and port-scan records, not boot/msg lines',
  examples: [
    '{"dst_host": "192.0.2.96", "dst_port": 80, "local_time": "2019-05-26 11:56:46.592954", "logdata": {"HOSTNAME": "192.0.2.96", "PATH": "/index.html", "SKIN": "nasLogin", "USERAGENT": "Mozilla/5.0 (X11; Linux x86_64; rv:60.0) Gecko/20100101 Firefox/60.0"}, "logtype": 3000, "node_id": "opencanary-1", "src_host": "198.51.100.45", "src_port": 38544}',
    '{"dst_host": "192.0.2.2", "dst_port": 22, "honeycred": false, "local_time": "2023-06-28 15:51:47.199237", "local_time_adjusted": "2023-06-28 17:51:47.199255", "logdata": {"LOCALVERSION": "SSH-2.0-OpenSSH_5.1p1 Debian-4", "REMOTEVERSION": "SSH-2.0-OpenSSH_for_Windows_8.1", "SESSION": "4"}, "logtype": 4000, "node_id": "opencanary-01", "src_host": "203.0.113.61", "src_port": 1906, "utc_time": "2023-06-28 15:51:47.199250"}',
    '{"dst_host": "192.0.2.5", "dst_port": "3389", "local_time": "2024-02-01 10:00:00.000001", "logdata": {"ID": "54321", "IN": "eth0", "LEN": "44", "PROTO": "TCP", "SYN": "", "TTL": "49", "WINDOW": "1024"}, "logtype": 5001, "node_id": "opencanary-1", "src_host": "198.51.100.9", "src_port": "61000", "utc_time": "2024-02-01 10:00:00.000001"}',
    '{"dst_host": "192.0.2.5", "dst_port": 161, "local_time": "2024-02-01 10:05:00.5", "logdata": {"COMMUNITY_STRING": "public", "REQUESTS": ["1.3.6.1.2.1.1.1.0"]}, "logtype": 13001, "node_id": "opencanary-1", "src_host": "2001:db8::99", "src_port": 50123, "utc_time": "2024-02-01 10:05:00.5"}',
  ],
  createParser: () => new OpenCanaryParser(),
};
