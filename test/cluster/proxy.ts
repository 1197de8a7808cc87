/**
 * A round-robin reverse proxy on loopback, standing for the one in front of the instances in
 * compose.yaml: each request goes to the next backend; a backend that refuses the connection (killed,
 * not restarted yet) is skipped for this request, as a proxy's "next upstream on error" does; a request
 * cut off after it reached a backend is answered 502, and the client sends it again (the product's
 * idempotency keys make that safe). Responses are streamed (server-sent events pass through).
 * No http-proxy library is installed; this is the few lines a test needs.
 */
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The running proxy. */
export class RoundRobinProxy {
  private server!: Server;
  private next = 0;
  url = '';
  /** Requests forwarded to each backend origin (by index in `backends()`). */
  readonly forwarded: number[] = [];
  /** Requests answered 502 because the backend went away mid-request. */
  cut = 0;

  /** `backends()` gives the current origins (they change when an instance restarts on a new port). */
  constructor(private readonly backends: () => string[]) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 1000;
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const origins = this.backends();
    const first = this.next++ % origins.length;
    for (let i = 0; i < origins.length; i++) {
      const k = (first + i) % origins.length;
      const outcome = await this.forward(origins[k]!, req, body, res);
      if (outcome === 'refused') continue;
      this.forwarded[k] = (this.forwarded[k] ?? 0) + 1;
      return;
    }
    res.writeHead(503, { 'content-type': 'text/plain' }).end('no backend up');
  }

  /** Sends one request to `origin`: 'refused' when it could not connect (nothing reached it). */
  private forward(origin: string, req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<'done' | 'refused'> {
    return new Promise((resolve) => {
      const u = new URL(origin);
      const headers = { ...req.headers, host: u.host, 'content-length': String(body.length) };
      delete headers['transfer-encoding'];
      const up = request({ host: u.hostname, port: u.port, method: req.method, path: req.url, headers, agent: false }, (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        res.flushHeaders();
        upRes.on('data', (d: Buffer) => res.write(d));
        upRes.on('error', () => undefined);
        upRes.on('close', () => {
          // Complete: pass the end on. The backend died mid-response: the client sees its connection cut.
          if (upRes.complete) res.end();
          else res.destroy();
          resolve('done');
        });
        res.on('close', () => upRes.destroy());
      });
      up.on('error', (err: NodeJS.ErrnoException) => {
        if (res.headersSent) {
          res.destroy();
          resolve('done');
        } else if (err.code === 'ECONNREFUSED') {
          resolve('refused');
        } else {
          this.cut++;
          res.writeHead(502, { 'content-type': 'text/plain' }).end('backend cut off');
          resolve('done');
        }
      });
      up.end(body);
    });
  }
}
