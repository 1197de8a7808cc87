import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTawasul, type Tawasul } from '../../bot/app.js';
import { silentLogger } from '../../bot/core/logger.js';
import type { ConversationState, StateStore } from '../../bot/engine/state.js';
import { sharedClassifier } from '../helpers/app.js';
import { tempDir } from '../helpers/tmp.js';

/** A state store that fails on demand (a disk or driver fault). */
class FlakyState implements StateStore {
  private readonly map = new Map<string, ConversationState>();
  failures = 0;
  async get(key: string) {
    if (this.failures > 0) {
      this.failures--;
      throw new Error('state store unavailable');
    }
    return this.map.get(key);
  }
  async set(key: string, s: ConversationState) { this.map.set(key, s); }
  async delete(key: string) { this.map.delete(key); }
  async close() {}
}

describe('engine failure outside the handlers', () => {
  let app: Tawasul | undefined;
  const t = tempDir();
  afterEach(async () => { await app?.close(); t.cleanup(); });

  it('releases the claim so that a redelivery of the same message is answered', async () => {
    const state = new FlakyState();
    app = await createTawasul({ dataDir: join(t.dir, 'data'), logger: silentLogger, classifier: await sharedClassifier(), state, channels: ['webchat'], env: { TAWASUL_AGENT_TOKENS: 'a:aaaaaaaaaaaaaaaaaaaaaaaa' } });
    const msg = { channel: 'webchat', conversationId: 'c1', id: 'm1', from: { id: 'r' }, text: 'السلام عليكم', receivedAt: new Date(), raw: null };
    state.failures = 1;
    await expect(app.engine.handle(msg)).rejects.toThrow('state store unavailable');
    const again = await app.engine.handle(msg);
    expect(again.duplicate).toBe(false);
    expect(again.replies[0]!.text).toContain('وعليكم السلام');
    expect((await app.engine.handle(msg)).duplicate).toBe(true);
  });
});
