import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Inbox } from '../../bot/delivery/inbox.js';
import { SqlStateStore } from '../../bot/engine/state.js';
import { SqliteConversationStore } from '../../bot/store/conversation-store.js';
import { SqliteDatabase } from '../../bot/store/sqlite-database.js';
import { migratedSqlite } from '../helpers/sqlite.js';
import { tempDir } from '../helpers/tmp.js';
import { conversationStoreContract } from './conversation-store-contract.js';

const at = new Date('2026-11-24T06:00:00Z');

describe('ConversationStore (handoff)', () => {
  it('queues, lets exactly one agent take over, and hands back only by the holder', () => {
    const t = tempDir();
    const db = migratedSqlite(join(t.dir, 'c.sqlite'));
    const s = new SqliteConversationStore(db);
    s.touch('webchat:1', 'webchat', '1', 'ar', at);
    expect(s.get('webchat:1')?.owner).toBe('bot');
    s.enqueue('webchat:1', at);
    expect(s.waiting().map((c) => c.key)).toEqual(['webchat:1']);
    expect(s.take('webchat:1', 'amal', at)?.owner).toBe('agent');
    expect(s.take('webchat:1', 'badr', at)).toBeUndefined();
    expect(s.waiting()).toEqual([]);
    expect(s.held('amal').map((c) => c.key)).toEqual(['webchat:1']);
    expect(s.release('webchat:1', 'badr')).toBeUndefined();
    expect(s.release('webchat:1', 'amal')?.owner).toBe('bot');
    db.close();
    t.cleanup();
  });

  it('keeps transcripts in order and an audit trail', () => {
    const t = tempDir();
    const db = migratedSqlite(join(t.dir, 'c.sqlite'));
    const s = new SqliteConversationStore(db);
    const a = s.append({ key: 'k', direction: 'in', author: 'resident', text: 'مرحبا', at });
    const b = s.append({ key: 'k', direction: 'out', author: 'bot', text: 'أهلاً', kind: 'greeting', at });
    expect(s.transcript('k').map((e) => e.text)).toEqual(['مرحبا', 'أهلاً']);
    expect(s.transcript('k', a).map((e) => e.seq)).toEqual([b]);
    s.audit('agent:amal', 'request.read', 'BUR-2026-00001', at);
    expect(s.auditTrail()[0]).toEqual({ at, actor: 'agent:amal', action: 'request.read', subject: 'BUR-2026-00001' });
    db.close();
    t.cleanup();
  });
});

describe('Inbox (exactly-once claim)', () => {
  it('lets only the first claim of a message id through, and remembers its replies', () => {
    const t = tempDir();
    const db = migratedSqlite(join(t.dir, 'i.sqlite'));
    const inbox = new Inbox(db);
    expect(inbox.claim('wa', 'm1', 'wa:1', at, at)).toEqual({ claimed: true });
    expect(inbox.claim('wa', 'm1', 'wa:1', at, at)).toEqual({ claimed: false, state: 'processing' });
    expect(inbox.claim('x', 'm1', 'x:1', at, at)).toEqual({ claimed: true });
    inbox.complete('wa', 'm1', [{ text: 'ok', language: 'ar', kind: 'answer' }]);
    expect(inbox.claim('wa', 'm1', 'wa:1', at, at)).toEqual({ claimed: false, state: 'done', replies: [{ text: 'ok', language: 'ar', kind: 'answer' }] });
    expect(inbox.stale(new Date(at.getTime() + 1)).map((s) => `${s.channel}/${s.messageId}`)).toEqual(['x/m1']);
    inbox.release('x', 'm1');
    expect(inbox.claim('x', 'm1', 'x:1', at, at)).toEqual({ claimed: true });
    db.close();
    t.cleanup();
  });
});

conversationStoreContract('sqlite', async () => {
  const t = tempDir();
  const file = join(t.dir, 'tawasul.sqlite');
  let db = migratedSqlite(file);
  return {
    conversations: new SqliteConversationStore(db),
    state: new SqlStateStore(db),
    async reopen() {
      db.close();
      db = new SqliteDatabase(file);
      return { conversations: new SqliteConversationStore(db), state: new SqlStateStore(db) };
    },
    async close() {
      db.close();
      t.cleanup();
    },
  };
});
