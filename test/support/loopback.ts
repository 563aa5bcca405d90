/**
 * An HTTP server on loopback that can go down and come back on the same port, as a third party's
 * service does (the fakes behind the real interfaces: a SET receiver, a saga participant).
 * @example const srv = await listenLoopback(handler); await srv.down(); await srv.up(); srv.port;
 */
import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The whole body of a request, as UTF-8 text. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export interface LoopbackServer {
  /** The port, the same after every `up`. */
  readonly port: number;
  /** Close the port (connection refused) and cut the open connections. */
  down(): Promise<void>;
  /** Listen again on the same port. */
  up(): Promise<void>;
  /** Down, if it is up. */
  close(): Promise<void>;
}

/** Listen on a free loopback port; `beforeDown` runs first each time it goes down (e.g. to cut hanging answers). */
export async function listenLoopback(
  handler: RequestListener,
  beforeDown?: () => void,
): Promise<LoopbackServer> {
  let server: Server = createServer(handler);
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        port = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  const down = () =>
    new Promise<void>((resolve) => {
      beforeDown?.();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  await listen();
  return {
    get port() {
      return port;
    },
    down,
    async up() {
      server = createServer(handler);
      await listen();
    },
    async close() {
      if (server.listening) await down();
    },
  };
}
