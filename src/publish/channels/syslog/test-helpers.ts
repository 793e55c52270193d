/** Test support: real syslog receivers on loopback (UDP datagrams, TCP octet-counted frames) and a CEF reader. */
import dgram from 'node:dgram';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface SyslogReceiver {
  port: number;
  lines: string[];
  close(): Promise<void>;
}

export async function udpReceiver(): Promise<SyslogReceiver> {
  const lines: string[] = [];
  const socket = dgram.createSocket('udp4');
  socket.on('message', (m) => lines.push(m.toString('utf8')));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    port: socket.address().port,
    lines,
    close: () => new Promise<void>((r) => socket.close(() => r())),
  };
}

/** Reads RFC 6587 octet-counted frames; a malformed frame is recorded as 'BAD FRAME'. */
export async function tcpReceiver(opts: { hang?: boolean } = {}): Promise<SyslogReceiver> {
  const lines: string[] = [];
  const server = net.createServer({ pauseOnConnect: opts.hang === true }, (socket) => {
    if (opts.hang) return; // accepts, never reads, never closes
    let buf = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        const sp = buf.indexOf(0x20);
        if (sp < 0) return;
        const len = Number(buf.subarray(0, sp).toString('ascii'));
        if (!Number.isInteger(len) || len <= 0) {
          lines.push('BAD FRAME');
          buf = Buffer.alloc(0);
          return;
        }
        if (buf.length < sp + 1 + len) return;
        lines.push(buf.subarray(sp + 1, sp + 1 + len).toString('utf8'));
        buf = buf.subarray(sp + 1 + len);
      }
    });
    socket.on('end', () => socket.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => sockets.add(s));
  return {
    port: (server.address() as AddressInfo).port,
    lines,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** A loopback port with nothing listening (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

export interface ParsedLine {
  pri: number;
  timestamp: string;
  hostname: string;
  app: string;
  procid: string;
  msgid: string;
  header: string[];
  ext: Record<string, string>;
}

function unescapeValue(v: string): string {
  return v.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c));
}

/** Reads an RFC 5424 line with a CEF message back into fields (unescaped). */
export function parseLine(line: string): ParsedLine {
  const m = /^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) - (CEF:.*)$/s.exec(line);
  if (!m) throw new Error(`not an RFC 5424 line with CEF: ${line.slice(0, 80)}`);
  const cef = m[7]!;
  const header: string[] = [];
  let i = 0;
  let cur = '';
  for (; i < cef.length && header.length < 7; i++) {
    const c = cef[i]!;
    if (c === '\\') cur += cef[++i] ?? '';
    else if (c === '|') {
      header.push(cur);
      cur = '';
    } else cur += c;
  }
  const ext: Record<string, string> = {};
  const rest = cef.slice(i);
  const keys = [...rest.matchAll(/(?:^| )([A-Za-z0-9_]+)=/g)].filter((k) => {
    let b = 0;
    for (let j = (k.index ?? 0) + k[0].length - 2; j >= 0 && rest[j] === '\\'; j--) b++;
    return b % 2 === 0;
  });
  keys.forEach((k, j) => {
    const start = (k.index ?? 0) + k[0].length;
    const end = j + 1 < keys.length ? keys[j + 1]!.index : rest.length;
    ext[k[1]!] = unescapeValue(rest.slice(start, end));
  });
  return {
    pri: Number(m[1]),
    timestamp: m[2]!,
    hostname: m[3]!,
    app: m[4]!,
    procid: m[5]!,
    msgid: m[6]!,
    header,
    ext,
  };
}
