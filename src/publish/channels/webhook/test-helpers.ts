/** A real HTTP receiver on 127.0.0.1 for the webhook tests: records requests, answers by a handler. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { ManualClock } from '../../../core/clock.js';
import type { DeliveryStore } from '../../../store/delivery-store.js';
import type { ChannelDeps } from '../config-base.js';

export interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface Receiver {
  url: string;
  port: number;
  requests: Received[];
  close(): Promise<void>;
}

export type Handler = (req: Received, res: http.ServerResponse) => void;

export async function startReceiver(
  handler: Handler = (_r, res) => res.writeHead(204).end(),
): Promise<Receiver> {
  const requests: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      requests.push(r);
      handler(r, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const WEBHOOK_NOW = Date.parse('2026-03-01T12:00:00Z');

export function webhookDeps(over: Partial<ChannelDeps> = {}): ChannelDeps {
  return {
    logger: pino({ level: 'silent' }),
    clock: new ManualClock(WEBHOOK_NOW),
    version: '0.1.0-test',
    deliveries: null as unknown as DeliveryStore, // the webhook never touches the outbox
    ...over,
  };
}
