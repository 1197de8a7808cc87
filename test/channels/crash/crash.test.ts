/**
 * Crash test: the WhatsApp Cloud adapter runs in a child process against a slow fake Graph API in
 * this process; a burst of webhooks goes in, the child is killed with SIGKILL in the middle of
 * sending (a send in flight, webhooks still arriving), restarted on the same data directory, and
 * every message must be answered exactly once.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { Outbox } from '../../../bot/delivery/outbox.js';
import { SqliteDatabase } from '../../../bot/store/sqlite-database.js';
import { sign } from '../../../channels/whatsapp-cloud/inbound.js';
import { tempDir } from '../../helpers/tmp.js';
import { FakeGraph } from '../helpers/fake-graph.js';
import { textMessage, WA_ENV, webhookBody } from '../helpers/whatsapp-cloud-harness.js';

const CHILD = join(import.meta.dirname, 'child.ts');

function startChild(dataDir: string, graphUrl: string): Promise<{ proc: ChildProcess; base: string }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    env: { ...process.env, ...WA_ENV, CRASH_DATA_DIR: dataDir, CRASH_GRAPH_URL: graphUrl, CRASH_SLOW_MS: '800' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('child did not start in time')), 20_000);
    proc.once('exit', (code) => reject(new Error(`child exited early (${code})`)));
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      const m = /^\{"port":(\d+)\}$/.exec(line.trim());
      if (!m) return;
      clearTimeout(timer);
      resolve({ proc, base: `http://127.0.0.1:${m[1]}` });
    });
  });
}

const killed = (proc: ChildProcess): Promise<void> =>
  new Promise((r) => (proc.exitCode !== null || proc.signalCode !== null ? r() : proc.once('exit', () => r())));

describe('crash: kill -9 in the middle of a burst', () => {
  const tmp = tempDir('tawasul-crash-');
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    tmp.cleanup();
  });

  it('answers every inbound message exactly once after a restart', async () => {
    const graph = await new FakeGraph({ token: WA_ENV.WHATSAPP_TOKEN, delayMs: 100 }).start();
    const N = 16;
    const waIds = Array.from({ length: N }, (_, i) => `96891${String(100000 + i)}`);
    const bodies = waIds.map((w, i) => JSON.stringify(webhookBody([textMessage(`wamid.crash${i}`, w, `complaint number ${i}`)])));
    const delivered = new Set<number>();
    const post = async (base: string, i: number): Promise<void> => {
      try {
        const r = await fetch(`${base}/webhooks/whatsapp`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-hub-signature-256': sign(bodies[i]!, WA_ENV.WHATSAPP_APP_SECRET) },
          body: bodies[i]!,
        });
        if (r.status === 200) delivered.add(i);
      } catch {
        // Connection refused or reset by the crash: Meta retries the webhook later.
      }
    };

    let child = await startChild(tmp.dir, graph.url);
    children.push(child.proc);
    for (let i = 0; i < N / 2; i++) await post(child.base, i);
    // Kill while the 4th send is in flight at the (slow) provider and the second half has been
    // accepted (200) but is still inside the engine (slow classifier).
    await graph.changes.until(() => graph.requests >= 4, 'the 4th send');
    await Promise.all(Array.from({ length: N / 2 }, (_, k) => post(child.base, N / 2 + k)));
    await graph.changes.until(() => graph.pending > 0, 'a send in flight');
    // Same tick: the fake provider cannot answer the send in flight between these two lines.
    child.proc.kill('SIGKILL');
    graph.abortPending();
    await killed(child.proc);
    expect(delivered.size).toBe(N);
    const beforeRestart = graph.sent.length;
    expect(beforeRestart).toBeGreaterThanOrEqual(3);
    expect(beforeRestart).toBeLessThan(N / 2);
    const crashed = new SqliteDatabase(join(tmp.dir, 'tawasul.sqlite'));
    const claimed = crashed.db.prepare(`SELECT count(*) AS n FROM inbox WHERE state = 'processing'`).get() as { n: number };
    crashed.close();
    expect(claimed.n).toBeGreaterThan(0); // the replay path is exercised

    child = await startChild(tmp.dir, graph.url);
    children.push(child.proc);
    // Meta delivers at least once: some webhooks arrive again after the restart.
    for (let i = 0; i < N; i += 3) await post(child.base, i);
    await graph.changes.until(() => new Set(graph.sent.map((s) => s.to)).size === N, 'a reply to every message', 15_000);
    // A graceful stop waits for the sends in flight; with nothing left pending (checked below),
    // no duplicate can still be on its way, so the count per user is final.
    child.proc.kill('SIGTERM');
    await killed(child.proc);
    const perUser = new Map<string, number>();
    for (const s of graph.sent) perUser.set(s.to, (perUser.get(s.to) ?? 0) + 1);
    expect([...perUser.keys()].sort()).toEqual([...waIds].sort());
    expect([...perUser.values()].every((n) => n === 1)).toBe(true);

    const sql = new SqliteDatabase(join(tmp.dir, 'tawasul.sqlite'));
    try {
      const outbox = new Outbox(sql);
      expect(outbox.list('whatsapp', 'sent')).toHaveLength(N);
      expect(outbox.list('whatsapp', 'pending')).toHaveLength(0);
      expect(outbox.list('whatsapp', 'failed')).toHaveLength(0);
    } finally {
      sql.close();
      await graph.close();
    }
  });
});
