import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTawasul, type Tawasul } from '../../bot/app.js';
import { silentLogger } from '../../bot/core/logger.js';
import { SqlStateStore, type TurnStart } from '../../bot/engine/state.js';
import { sharedClassifier } from '../helpers/app.js';
import { tempDir } from '../helpers/tmp.js';

/** The SQL state store, failing on demand (a disk or driver fault). */
class FlakyState extends SqlStateStore {
  failures = 0;
  override loadTurn(key: string, now: Date): TurnStart {
    if (this.failures > 0) {
      this.failures--;
      throw new Error('state store unavailable');
    }
    return super.loadTurn(key, now);
  }
}

describe('engine failure outside the handlers', () => {
  let app: Tawasul | undefined;
  const t = tempDir();
  afterEach(async () => {
    await app?.close();
    t.cleanup();
  });

  it('releases the claim so that a redelivery of the same message is answered', async () => {
    let state!: FlakyState;
    app = await createTawasul({
      dataDir: join(t.dir, 'data'),
      logger: silentLogger,
      classifier: await sharedClassifier(),
      state: (sql) => (state = new FlakyState(sql)),
      channels: ['webchat'],
      env: { TAWASUL_AGENT_TOKENS: 'a:aaaaaaaaaaaaaaaaaaaaaaaa' },
    });
    const msg = { channel: 'webchat', conversationId: 'c1', id: 'm1', from: { id: 'r' }, text: 'السلام عليكم', receivedAt: new Date(), raw: null };
    state.failures = 1;
    await expect(app.engine.handle(msg)).rejects.toThrow('state store unavailable');
    const again = await app.engine.handle(msg);
    expect(again.duplicate).toBe(false);
    expect(again.replies[0]!.text).toContain('وعليكم السلام');
    expect((await app.engine.handle(msg)).duplicate).toBe(true);
  });
});
