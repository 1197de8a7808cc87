// Load generator for the benchmarks, run in its own process so that it does not share the server's
// event loop: POSTs JSON bodies to the given URLs with a fixed concurrency, prints one JSON result.
// argv: total concurrency bodiesJson urlsJson
const [total, concurrency, bodiesJson, urlsJson] = process.argv.slice(2);
const bodies = JSON.parse(bodiesJson);
const urls = JSON.parse(urlsJson);
const n = Number(total);
const lat = [];
let next = 0;
const start = performance.now();
await Promise.all(Array.from({ length: Number(concurrency) }, async () => {
  while (next < n) {
    const i = next++;
    const t0 = performance.now();
    // A URL may carry a bearer secret after '#' (never sent as part of the URL).
    const [url, secret] = urls[i % urls.length].split('#');
    const headers = { 'content-type': 'application/json', ...(secret ? { authorization: `Bearer ${secret}` } : {}) };
    const r = await fetch(url, { method: 'POST', headers, body: JSON.stringify(bodies[i % bodies.length]) });
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    await r.arrayBuffer();
    lat.push(performance.now() - t0);
  }
}));
const secs = (performance.now() - start) / 1000;
lat.sort((a, b) => a - b);
const pct = (p) => lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))];
process.stdout.write(JSON.stringify({ rps: n / secs, p50: pct(50), p99: pct(99) }));
