// Load generator used when wrk is not installed, run in its own process so that it does not share the
// server's event loop; it is slower than wrk (prefer wrk: see README "Performance"). Same request
// pattern as wrk-mix.lua: requests spread over the conversations, each walking the message mix.
// argv: origin dataJsonFile seconds concurrency nonce startMs → prints { rps, p50, p99, status, socket } as JSON.
import { readFileSync } from 'node:fs';

const [origin, file, seconds, concurrency, nonce = '000000000000', start = String(Date.now())] = process.argv.slice(2);
const { convs, bodies, clientIds } = JSON.parse(readFileSync(file, 'utf8'));
const lat = [];
let n = 0;
let status = 0;
let socket = 0;
const end = performance.now() + Number(seconds) * 1000;
await Promise.all(
  Array.from({ length: Number(concurrency) }, async () => {
    while (performance.now() < end) {
      const i = n++;
      const ci = i % convs.length;
      const c = convs[ci];
      const plain = bodies[(Math.floor(i / convs.length) + ci * 13) % bodies.length];
      // As the web chat page sends it: a client message id (a UUID version 7, the clock advanced per request), unique to this run.
      const t = (Number(start) + i).toString(16).padStart(12, '0');
      const id = `${t.slice(0, 8)}-${t.slice(8)}-7${(i % 4096).toString(16).padStart(3, '0')}-${(0x8000 + (Math.floor(i / 4096) % 16384)).toString(16)}-${nonce}`;
      const legacy = `${nonce}${i.toString(16).padStart(20, '0')}`;
      const body = clientIds ? `${plain.slice(0, -1)},"clientMessageId":"${clientIds === 'legacy' ? legacy : id}"}` : plain;
      const headers = { 'content-type': 'application/json', ...(c.auth ? { authorization: c.auth } : {}) };
      const t0 = performance.now();
      try {
        const r = await fetch(`${origin}/api/webchat/conversations/${c.id}/messages`, { method: 'POST', headers, body });
        await r.arrayBuffer();
        if (r.status >= 400) status++;
      } catch {
        socket++;
      }
      lat.push(performance.now() - t0);
    }
  }),
);
lat.sort((a, b) => a - b);
const pct = (p) => lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))] ?? 0;
process.stdout.write(JSON.stringify({ rps: lat.length / Number(seconds), p50: pct(50), p99: pct(99), status, socket }));
