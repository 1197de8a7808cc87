/**
 * `npx tsx test/bench/commit-path.ts [SECONDS] [REPS]`: the PostgreSQL end-of-turn commit path alone
 * (no HTTP, no NLU, no Redis), on a PostgreSQL started on loopback: 16 and 64 simulated turns at
 * once, each reading its ledger row, conversation and state, then committing its claim and its end
 * (ledger, state, conversation, two transcript lines, one outbox item) through the group commit.
 * Compares one connection per batch (`lanes: 1`, the shape before batches were spread) with the
 * default (half the pool). Prints turns/s, latency and main-thread CPU per turn. Asserts nothing.
 */
import { GroupCommit } from '../../bot/engine/group-commit.js';
import { openPostgresStores } from '../../bot/store/postgres/stores.js';
import { PostgresTransactions } from '../../bot/store/postgres/turn-transactions.js';
import { startPostgres } from '../helpers/postgres-server.js';

const [seconds = 3, reps = 2] = process.argv.slice(2).map(Number);
const server = await startPostgres();
try {
  for (const conns of [16, 64]) {
    for (let rep = 0; rep < reps; rep++) {
      for (const lanes of [1, undefined]) {
        const s = await openPostgresStores(await server.createSchema());
        const commits = new GroupCommit(new PostgresTransactions(s.pool, lanes ? { lanes } : {}));
        let seq = 0;
        const lat: number[] = [];
        const end = Date.now() + seconds * 1000;
        const cpu0 = process.cpuUsage();
        await Promise.all(
          Array.from({ length: conns }, async (_, c) => {
            const key = `webchat:c${c}`;
            await commits.submit((t) => t.conversations.touch(key, 'webchat', `c${c}`, undefined, new Date()));
            while (Date.now() < end) {
              const t0 = Date.now();
              const id = `m${++seq}`;
              const now = new Date();
              let ended = false;
              commits.submit(async (t) => (ended ? undefined : void (await t.inbox.claim('webchat', id, key, now, now, '{}')))).catch(() => undefined);
              await s.turn.inbox.get('webchat', id);
              await s.turn.conversations.get(key);
              await s.turn.state.load(key, now);
              ended = true;
              await commits.submit(async (t) => {
                await t.inbox.claim('webchat', id, key, now, now);
                await t.inbox.complete('webchat', id, [{ text: 'a', language: 'en', kind: 'answer' }]);
                await t.state.save(key, { updatedAt: now.getTime() }, new Date(now.getTime() + 60_000));
                await t.conversations.noteMessage(key, 'en', now);
                await t.conversations.append({ key, direction: 'in', author: 'resident', text: 'q', at: now });
                await t.conversations.append({ key, direction: 'out', author: 'bot', text: 'a', kind: 'answer', at: now });
                await t.outbox.enqueue([{ channel: 'webchat', conversationId: `c${c}`, reply: { text: 'a', language: 'en', kind: 'answer' } }], now);
              });
              lat.push(Date.now() - t0);
            }
          }),
        );
        const cpu = process.cpuUsage(cpu0);
        lat.sort((a, b) => a - b);
        const at = (q: number): number => lat[Math.min(lat.length - 1, Math.floor(lat.length * q))] ?? 0;
        const perTurn = (cpu.user + cpu.system) / 1000 / lat.length;
        console.log(
          `turns=${conns} lanes=${lanes ?? 'default'} rep ${rep + 1}: ${(lat.length / seconds).toFixed(0)} turns/s, p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, CPU ${perTurn.toFixed(3)} ms/turn`,
        );
        await s.close();
      }
    }
  }
} finally {
  await server.stop();
}
