// Hostile clients for `npm run hostile`, in their own process: keeps N connections busy against the
// server, in four kinds, each reconnecting as soon as the server closes it:
//  - forged: WhatsApp webhook, 1 MiB body announced with a forged signature;
//  - chunked: WhatsApp webhook, 1 MiB chunked body (no length) with a forged signature, sent as fast as possible;
//  - slow-headers: headers trickled one byte every 500 ms (slowloris);
//  - slow-body: web chat POST announcing 60 KB, sending one byte every 200 ms.
// argv: port connections [forwarded]. With `forwarded`, each connection says it comes through the
// loopback proxy from one of 50 internet addresses (X-Forwarded-For), as behind a reverse proxy.
// Prints "ready" once all are open, then counts per kind every 2 s on stderr.
import { connect } from 'node:net';

const [port, n] = process.argv.slice(2, 4).map(Number);
const forwarded = process.argv[4] === 'forwarded';
let seq = 0;
const xff = () => (forwarded ? `X-Forwarded-For: 203.0.113.${(seq++ % 50) + 1}\r\n` : '');
const kinds = ['forged', 'chunked', 'slow-headers', 'slow-body'];
const stats = Object.fromEntries(kinds.map((k) => [k, { opened: 0, answered: 0 }]));
const MiB = 1024 * 1024;
const chunk = Buffer.alloc(64 * 1024, 0x20);

function open(kind, first) {
  const s = connect(port, '127.0.0.1');
  stats[kind].opened++;
  const timers = [];
  const again = () => {
    for (const t of timers) clearInterval(t);
    setTimeout(() => open(kind, false), 10);
  };
  s.on('data', () => {
    stats[kind].answered++;
    s.destroy();
  });
  s.on('close', again);
  s.on('error', () => undefined);
  s.on('connect', () => {
    if (first) opened();
    if (kind === 'forged') {
      s.write(
        `POST /webhooks/whatsapp HTTP/1.1\r\nHost: x\r\n${xff()}Content-Type: application/json\r\nContent-Length: ${MiB}\r\nX-Hub-Signature-256: sha256=${'ab'.repeat(32)}\r\n\r\n`,
      );
      const pump = () => {
        while (s.writable && s.write(chunk));
      };
      s.on('drain', pump);
      pump();
    } else if (kind === 'chunked') {
      s.write(
        `POST /webhooks/whatsapp HTTP/1.1\r\nHost: x\r\n${xff()}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nX-Hub-Signature-256: sha256=${'cd'.repeat(32)}\r\n\r\n`,
      );
      let sent = 0;
      const pump = () => {
        while (s.writable && sent < MiB) {
          sent += chunk.length;
          if (!s.write(Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]))) return;
        }
      };
      s.on('drain', pump);
      pump();
    } else if (kind === 'slow-headers') {
      const head = `GET /healthz HTTP/1.1\r\nHost: x\r\n${xff()}X-Slow: ${'a'.repeat(10_000)}`;
      let i = 0;
      timers.push(
        setInterval(() => {
          if (s.writable) s.write(head[i++ % head.length]);
        }, 500),
      );
    } else {
      s.write(
        `POST /api/webchat/conversations/00000000-0000-4000-8000-000000000000/messages HTTP/1.1\r\nHost: x\r\n${xff()}Content-Type: application/json\r\nContent-Length: 61440\r\n\r\n`,
      );
      timers.push(
        setInterval(() => {
          if (s.writable) s.write(' ');
        }, 200),
      );
    }
  });
}

let pending = n;
function opened() {
  if (--pending === 0) process.stdout.write('ready\n');
}
for (let i = 0; i < n; i++) open(kinds[i % kinds.length], true);
setInterval(() => process.stderr.write(`${JSON.stringify(stats)}\n`), 2000).unref();
// The last figures when told to stop (a measurement may last less than one interval).
process.once('SIGTERM', () => {
  process.stderr.write(`${JSON.stringify(stats)}\n`, () => process.exit(0));
});
