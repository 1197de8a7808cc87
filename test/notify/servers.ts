/** Real loopback servers for notification tests: an SMTP server (smtp-server) and an HTTP SMS gateway. */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A received e-mail, parsed, with its envelope. */
export interface ReceivedMail {
  envelopeTo: string[];
  mail: ParsedMail;
}

/** An SMTP server on 127.0.0.1 with a random port; `reject` makes it refuse recipients with 550. */
export async function startSmtp(): Promise<{ port: number; received: ReceivedMail[]; reject: Set<string>; close(): Promise<void> }> {
  const received: ReceivedMail[] = [];
  const reject = new Set<string>();
  const server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    // Any account but one whose password is 'wrong' (535, as a rotated password gets).
    onAuth(auth, _session, cb) {
      if (auth.password === 'wrong') return cb(new Error('Invalid username or password'));
      cb(null, { user: auth.username });
    },
    logger: false,
    onRcptTo(address, _session, cb) {
      if (reject.has(address.address)) {
        const err = new Error('mailbox unavailable') as Error & { responseCode: number };
        err.responseCode = 550;
        cb(err);
        return;
      }
      cb();
    },
    onData(stream, session, cb) {
      simpleParser(stream).then((mail) => {
        received.push({ envelopeTo: session.envelope.rcptTo.map((r) => r.address), mail });
        cb();
      }, cb);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { port, received, reject, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** One request the SMS gateway received. */
export interface GatewayRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** An HTTP server on 127.0.0.1 standing in for an SMS gateway; `statuses` are answered in order, then 200/201. */
export async function startGateway(): Promise<{ url: string; requests: GatewayRequest[]; statuses: number[]; close(): Promise<void> }> {
  const requests: GatewayRequest[] = [];
  const statuses: number[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const status = statuses.shift() ?? (req.url?.includes('/Messages.json') ? 201 : 200);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(status < 300 ? { sid: `SM${requests.length}`, status: 'queued' } : { code: 21211, message: 'refused' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    statuses,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
