/**
 * The turn's stores on PostgreSQL (real PostgreSQL 15 on loopback): the inbound ledger and outbox
 * contract, the conversation and state contract, and the end-of-turn transactions (a unit undone
 * alone, a claim taken once by two instances at the same time).
 */
import { describe, expect, it } from 'vitest';
import type { InboundMessage } from '../../bot/core/types.js';
import { GroupCommit } from '../../bot/engine/group-commit.js';
import { openPostgresStores, type PostgresStores } from '../../bot/store/postgres/stores.js';
import { deliveryStoreContract } from '../delivery/delivery-store-contract.js';
import { skipPostgres, usePostgres } from '../helpers/postgres.js';
import { conversationStoreContract } from './conversation-store-contract.js';

const t0 = new Date('2026-11-24T06:00:00Z');

describe.skipIf(skipPostgres)('PostgreSQL turn stores', () => {
  const pgServer = usePostgres();

  /** Stores on a fresh schema, reopened on the same schema by `reopen`. */
  async function open(): Promise<{ stores: () => PostgresStores; reopen: () => Promise<PostgresStores>; close: () => Promise<void> }> {
    const url = await pgServer.database();
    let stores = await openPostgresStores(url);
    return {
      stores: () => stores,
      async reopen() {
        await stores.close();
        stores = await openPostgresStores(url);
        return stores;
      },
      close: () => stores.close(),
    };
  }

  deliveryStoreContract('postgres', async () => {
    const o = await open();
    return { outbox: o.stores().turn.outbox, reopen: async () => (await o.reopen()).turn.outbox, close: o.close };
  });

  conversationStoreContract('postgres', async () => {
    const o = await open();
    return {
      conversations: o.stores().turn.conversations,
      state: o.stores().turn.state,
      async reopen() {
        const s = await o.reopen();
        return { conversations: s.turn.conversations, state: s.turn.state };
      },
      close: o.close,
    };
  });

  it('commits a batch in one transaction, a failing unit undone alone, in order with the next batch', async () => {
    const o = await open();
    try {
      const { turn, transactions } = o.stores();
      const commits = new GroupCommit(transactions);
      const results = await Promise.allSettled([
        commits.submit(async (tx) => {
          await tx.conversations.touch('webchat:a', 'webchat', 'a', 'ar', t0);
        }),
        commits.submit(async (tx) => {
          await tx.conversations.touch('webchat:b', 'webchat', 'b', 'ar', t0);
          throw new Error('unit failed');
        }),
        commits.submit(async (tx) => {
          await tx.inbox.claim('webchat', 'm1', 'webchat:a', t0, t0);
        }),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(await turn.conversations.get('webchat:a')).toBeDefined();
      expect(await turn.conversations.get('webchat:b')).toBeUndefined();
      // A unit failing on a statement (the transaction is then aborted) is undone alone too.
      const [bad, good] = await Promise.allSettled([
        commits.submit(async (tx) => {
          await tx.outbox.enqueue([{ channel: null as unknown as string, conversationId: 'c', reply: { text: 'x', language: 'ar', kind: 'answer' } }], t0);
        }),
        commits.submit(async (tx) => {
          await tx.inbox.complete('webchat', 'm1', []);
        }),
      ]);
      expect([bad!.status, good!.status]).toEqual(['rejected', 'fulfilled']);
      expect(await turn.inbox.get('webchat', 'm1')).toEqual({ state: 'done', replies: [] });
    } finally {
      await o.close();
    }
  });

  it('two instances claiming one message at the same time: exactly one turn gets it', async () => {
    const url = await pgServer.database();
    const [a, b] = await Promise.all([openPostgresStores(url), openPostgresStores(url)]);
    try {
      const msg: InboundMessage = { channel: 'webchat', conversationId: 'c', id: 'dup', from: { id: 'r' }, text: 'hi', receivedAt: t0, raw: null };
      expect(await a.turn.inbox.accept(msg.channel, msg.id, JSON.stringify(msg), {}, t0)).toBe(true);
      expect(await b.turn.inbox.accept(msg.channel, msg.id, JSON.stringify(msg), {}, t0)).toBe(false);
      const claims: boolean[] = [];
      await Promise.all(
        [a, b].map((s) =>
          s.transactions.batch([
            async (tx) => {
              claims.push((await tx.inbox.claim(msg.channel, msg.id, 'webchat:c', t0, t0)).claimed);
            },
          ]),
        ),
      );
      expect(claims.sort()).toEqual([false, true]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
