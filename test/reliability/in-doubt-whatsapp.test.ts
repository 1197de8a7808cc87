/**
 * WhatsApp Cloud sends cut off by a crash: each send names its outbox item in
 * `biz_opaque_callback_data`; after a restart an in-doubt send is held until Meta's status webhook
 * (which echoes that data) confirms it, or goes out once more after `inDoubtHoldMs`, counted.
 */

import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { registerDeliveryMetrics } from '../../bot/delivery/metrics.js';
import { WhatsAppCloudHarness, webhookBody } from '../channels/helpers/whatsapp-cloud-harness.js';

describe('WhatsApp Cloud: in-doubt sends after a crash', () => {
  let h: WhatsAppCloudHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('is confirmed by the status webhook instead of being resent, or resent once after the hold, and counted', async () => {
    h = await new WhatsAppCloudHarness({ inDoubtHoldMs: 60_000, perRecipientMinTimeMs: 0 }).start();
    await h.deliverText('d1', 'a complaint', 'amal');
    await h.drain();
    const first = (await h.outbox.list('whatsapp', 'sent'))[0]!;
    expect(h.graph.sent[0]!.body.biz_opaque_callback_data).toBe(`tawasul-outbox:${first.id}`);

    // Two sends in progress when the process died (recorded before the provider call, never finished).
    const reply = { text: 'held reply', language: 'ar' as const, kind: 'answer' as const };
    const [a, b] = await h.outbox.enqueue(
      [
        { channel: 'whatsapp', conversationId: h.waId('amal'), reply },
        { channel: 'whatsapp', conversationId: h.waId('badr'), reply },
      ],
      h.clock.now(),
    );
    h.outbox.markAttempt(a!.id, h.clock.now());
    h.outbox.markAttempt(b!.id, h.clock.now());
    await h.restart();
    await h.drain();
    expect(h.graph.sent).toHaveLength(1); // both held: Meta may have them
    expect((await h.outbox.get(a!.id))!.state).toBe('pending');

    // Meta's status webhook for the first names it: sent, never resent.
    const status = {
      id: 'wamid.fromMeta',
      status: 'delivered',
      timestamp: '1766383300',
      recipient_id: h.waId('amal'),
      biz_opaque_callback_data: `tawasul-outbox:${a!.id}`,
    };
    expect((await h.post(webhookBody([], { statuses: [status] }))).status).toBe(200);
    expect(h.outbox.get(a!.id)).toMatchObject({ state: 'sent', providerMessageId: 'wamid.fromMeta' });

    // No word on the second: after the hold it goes out once more.
    h.clock.advance(60_000);
    await h.drain();
    expect(h.graph.sent.map((s) => s.to)).toEqual([h.waId('amal'), h.waId('badr')]);
    expect((await h.outbox.get(b!.id))!.state).toBe('sent');

    const registry = new Registry();
    registerDeliveryMetrics(registry, h.t.ctx.sql);
    const text = await registry.metrics();
    expect(text).toContain('tawasul_outbox_in_doubt_sends_total{channel="whatsapp",outcome="confirmed"} 1');
    expect(text).toContain('tawasul_outbox_in_doubt_sends_total{channel="whatsapp",outcome="resent"} 1');
  });
});
