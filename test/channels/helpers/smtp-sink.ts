/**
 * A real SMTP server on 127.0.0.1 (smtp-server) that stands in for the Governorate's outgoing
 * mail server: it requires AUTH, captures every message (raw and parsed by mailparser), and fails
 * the next messages on demand — `throttle` as 451 4.7.1, `permanent` as 550 5.1.1, `network` as a
 * connection dropped right after it was opened.
 */
import { type AddressInfo, createServer, type Server } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { Conditions } from '../../helpers/conditions.js';
import type { FailureMode, SentRecord } from '../adapter-contract.js';

/** One message the sink accepted. */
export interface CapturedMail {
  rcpt: string[];
  raw: Buffer;
  parsed: ParsedMail;
  at: number;
}

const reply = (code: number, message: string): Error => Object.assign(new Error(message), { responseCode: code });

/** The SMTP sink. */
export class SmtpSink {
  readonly mails: CapturedMail[] = [];
  /** Notified at each captured message: `changes.until(cond, what)` waits on them. */
  readonly changes = new Conditions();
  private failures: FailureMode[] = [];
  private pending = new Set<Promise<unknown>>();

  private constructor(
    private readonly front: Server,
    private readonly smtp: SMTPServer,
    readonly port: number,
    readonly user: string,
    readonly pass: string,
  ) {}

  /** `smtp://user:pass@127.0.0.1:port` for TAWASUL_SMTP_URL. */
  get url(): string {
    return `smtp://${encodeURIComponent(this.user)}:${encodeURIComponent(this.pass)}@127.0.0.1:${this.port}`;
  }

  /** Starts the sink on a free loopback port. */
  static async start(user = 'tawasul', pass = 'smtp-test-password'): Promise<SmtpSink> {
    let sink!: SmtpSink;
    const smtp = new SMTPServer({
      logger: false,
      disableReverseLookup: true,
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      authMethods: ['PLAIN', 'LOGIN'],
      closeTimeout: 500,
      onAuth: (auth, _s, cb) =>
        auth.username === user && auth.password === pass ? cb(null, { user }) : cb(reply(535, '5.7.8 Authentication credentials invalid')),
      onMailFrom: (_a, _s, cb) => {
        const head = sink.failures[0];
        if (head === 'throttle') {
          sink.failures.shift();
          return cb(reply(451, '4.7.1 Too many messages, slow down'));
        }
        return cb();
      },
      onRcptTo: (_a, _s, cb) => {
        if (sink.failures[0] === 'permanent') {
          sink.failures.shift();
          return cb(reply(550, '5.1.1 Mailbox unavailable'));
        }
        return cb();
      },
      onData: (stream, session, cb) => {
        const at = performance.now();
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks);
          const p = simpleParser(raw).then(
            (parsed) => {
              sink.mails.push({ rcpt: session.envelope.rcptTo.map((r) => r.address), raw, parsed, at });
              sink.changes.notify();
              cb();
            },
            (err: Error) => cb(err),
          );
          sink.pending.add(p);
          void p.finally(() => sink.pending.delete(p));
        });
      },
    });
    const front = createServer((socket) => {
      if (sink.failures[0] === 'network') {
        sink.failures.shift();
        socket.destroy();
        return;
      }
      smtp.server.emit('connection', socket);
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', () => resolve()));
    sink = new SmtpSink(front, smtp, (front.address() as AddressInfo).port, user, pass);
    return sink;
  }

  /** The next `n` messages fail this way. */
  failNext(n: number, mode: FailureMode): void {
    for (let i = 0; i < n; i++) this.failures.push(mode);
  }

  /** What the contract suite reads: recipient, plain text, arrival time. */
  sent(): SentRecord[] {
    return this.mails.map((m) => ({ to: m.rcpt[0] ?? '', text: m.parsed.text ?? '', at: m.at }));
  }

  /** Waits for captures being parsed. */
  async settled(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.front.close(() => resolve()));
    await new Promise<void>((resolve) => this.smtp.close(() => resolve()));
  }
}
