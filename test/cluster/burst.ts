/**
 * The cluster test's burst: residents chatting and filing training requests on the web chat, WhatsApp
 * users whose messages Meta delivers twice (at once, to both instances, and again later), all through
 * the round-robin proxy, with instance 0 killed (SIGKILL) in the middle and restarted. Returns what
 * the clients saw; the test reads the rest from PostgreSQL and the fake Graph API.
 */
import pg from 'pg';
import { Progress } from '../reliability/harness.js';
import { Meta, Resident } from './clients.js';
import type { Cluster } from './cluster.js';

/** Sizes of the burst. */
export interface BurstSize {
  /** Web chat conversations, each posting `messages` messages. */
  chats: number;
  messages: number;
  /** Residents each filing one training request (about nine turns each). */
  filers: number;
  /** WhatsApp users, one message each. */
  waUsers: number;
}

/** What the clients saw. */
export interface BurstResult {
  chats: Resident[];
  filers: Resident[];
  /** Filer index → the reference its confirmation named. */
  references: Array<string | undefined>;
  waIds: string[];
  /** Webhook deliveries of user messages (first ones and duplicates). */
  deliveries: number;
  meta: Meta;
  /** Answers counted when instance 0 was killed. */
  killedAt: number;
  /** Errors that stopped a client early (a conversation that could not be opened). */
  errors: string[];
}

/** The text of web chat message `m` of conversation `c` (greetings and complaints alternate). */
export const chatText = (c: number, m: number): string => (m % 2 === 0 ? 'السلام عليكم' : `عندي شكوى على الشارع رقم ${c} ${m}`);

/** Runs the burst; instance 0 is killed once `killAt` of its client operations are done. */
export async function runBurst(cluster: Cluster, size: BurstSize, killAt: number): Promise<BurstResult> {
  const progress = new Progress();
  const errors: string[] = [];
  const meta = new Meta(cluster);
  const chats = Array.from({ length: size.chats }, () => new Resident(cluster));
  const filers = Array.from({ length: size.filers }, () => new Resident(cluster));
  const references: Array<string | undefined> = new Array(size.filers);
  const waIds = Array.from({ length: size.waUsers }, (_, i) => `9689${String(2_000_000 + i)}`);
  let deliveries = 0;
  const guarded = (what: string, fn: () => Promise<void>) =>
    fn().catch((err: unknown) => {
      errors.push(`${what}: ${(err as Error).message}`);
    });

  const chatting = chats.map((chat, c) =>
    guarded(`chat ${c}`, async () => {
      await chat.open();
      for (let m = 0; m < size.messages; m++) {
        await chat.post(chatText(c, m), `m${m}`);
        progress.inc();
      }
    }),
  );
  const filing = filers.map((r, i) =>
    guarded(`filer ${i}`, async () => {
      await r.open();
      references[i] = await r.fileTraining();
      progress.inc();
    }),
  );
  let next = 0;
  const whatsapp = Array.from({ length: 8 }, () =>
    guarded('whatsapp', async () => {
      while (next < waIds.length) {
        const i = next++;
        const body = Meta.message(`wamid.cluster${i}`, waIds[i]!, `complaint number ${i}`);
        // Every fourth message is delivered twice at once: round robin sends the copies to both instances.
        const copies = i % 4 === 0 ? 2 : 1;
        deliveries += copies;
        await Promise.all(Array.from({ length: copies }, () => meta.deliver(body)));
        progress.inc();
      }
    }),
  );
  const all = Promise.all([...chatting, ...filing, ...whatsapp]);
  let killedAt = -1;
  const killer = Promise.race([progress.reach(killAt).then(() => 'kill' as const), all.then(() => 'done' as const)]).then(async (why) => {
    if (why !== 'kill') return;
    killedAt = progress.value;
    await cluster.crash(0);
  });
  await all;
  await killer;
  // Meta delivers at least once: every third message again, after the restart.
  for (let i = 0; i < waIds.length; i += 3) {
    deliveries++;
    await meta.deliver(Meta.message(`wamid.cluster${i}`, waIds[i]!, `complaint number ${i}`));
  }
  return { chats, filers, references, waIds, deliveries, meta, killedAt, errors };
}

/** One query on the shared database. */
export async function query<T>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text, values)).rows as T[];
  } finally {
    await c.end();
  }
}

/** Resolves once `cond()` (an async look at the database) holds, looking again every 100 ms; rejects after `ms` naming `what`. */
export async function untilAsync(cond: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    let ok = false;
    let last = '';
    try {
      ok = await cond();
    } catch (err) {
      last = ` (last look failed: ${(err as Error).message})`;
    }
    if (ok) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
