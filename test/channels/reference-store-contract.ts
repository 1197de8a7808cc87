/** The contract every Bot Framework ReferenceStore passes (channel-stores-sqlite.test.ts, channel-stores-postgres.test.ts). */
import type { ConversationReference } from 'botbuilder';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ReferenceStore } from '../../channels/botframework/store.js';
import type { StorePair } from './store-pair.js';

const T0 = new Date('2026-12-02T06:00:00Z');

const reference = (serviceUrl: string, conversationId = 'conv-1'): Partial<ConversationReference> => ({
  channelId: 'msteams',
  serviceUrl,
  locale: 'ar-OM',
  bot: { id: 'bot-1', name: 'Tawasul', role: 'bot' },
  user: { id: 'user-1', name: 'سالم الكعبي', aadObjectId: 'aad-1', role: 'user' },
  conversation: { id: conversationId, name: 'chat', isGroup: false, conversationType: 'personal', tenantId: 'tenant-1' },
});

/** Registers the contract tests for one database. */
export function referenceStoreContract(name: string, make: () => Promise<StorePair<ReferenceStore>>): void {
  describe(`Bot Framework reference store contract: ${name}`, () => {
    let h: StorePair<ReferenceStore>;
    beforeEach(async () => {
      h = await make();
    });
    afterEach(async () => {
      await h.close();
    });

    it('a reference saved on one instance routes replies from the other, without display names', async () => {
      expect(await h.two('teams').get('conv-1')).toBeUndefined();
      const saved = await h.one('teams').save(reference('https://smba.trafficmanager.net/emea/'), T0);
      const read = await h.two('teams').get('conv-1');
      expect(read).toEqual(saved);
      expect(read).toEqual({
        channelId: 'msteams',
        serviceUrl: 'https://smba.trafficmanager.net/emea/',
        locale: 'ar-OM',
        bot: { id: 'bot-1', role: 'bot' },
        user: { id: 'user-1', role: 'user' },
        conversation: { id: 'conv-1', isGroup: false, conversationType: 'personal', tenantId: 'tenant-1' },
      });
      expect(await h.two('teams-2').get('conv-1')).toBeUndefined();
    });

    it('the latest serviceUrl wins, whichever instance saw it', async () => {
      await h.one('teams').save(reference('https://smba.trafficmanager.net/emea/'), T0);
      await h.two('teams').save(reference('https://smba.trafficmanager.net/apac/'), new Date(T0.getTime() + 1000));
      expect((await h.one('teams').get('conv-1'))?.serviceUrl).toBe('https://smba.trafficmanager.net/apac/');
    });

    it('refuses an incomplete reference and stores nothing', async () => {
      await expect(async () => h.one('teams').save({ serviceUrl: 'https://x.example/', conversation: { id: 'conv-2' } as never }, T0)).rejects.toThrow(
        RangeError,
      );
      expect(await h.two('teams').get('conv-2')).toBeUndefined();
    });
  });
}
