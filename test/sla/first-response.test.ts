/** First response is the moment the provider accepted the reply to that very message. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { at, createHarness, type Harness } from './harness.js';

const row = (h: Harness, id: string): { responded_at: number | null; source: string | null; deadline_at: number } =>
  h.sql.db.prepare('SELECT responded_at, source, deadline_at FROM sla_first_responses WHERE message_id = ?').get(id) as never;

describe('first-response records', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('counts a queued reply only when the provider accepts it, and per message', async () => {
    const reply = (id: string, received: string): void => {
      h.events.emit('reply.produced', {
        channel: 'x-alburaimigov',
        conversationId: 'dm-1',
        messageId: id,
        kind: 'tajawob',
        receivedAt: at(received),
        at: at(received),
      });
      h.delivery.emit('queued', { channel: 'x-alburaimigov', conversationId: 'dm-1', messageId: id, receivedAt: at(received) });
    };
    reply('a', '2026-02-06 23:00');
    reply('b', '2026-02-06 23:05');
    await h.sla.firstResponse.settled();
    expect(row(h, 'a')).toMatchObject({ responded_at: null, source: 'outbox', deadline_at: at('2026-02-06 23:30').getTime() });
    // a's reply is accepted; b's still waits behind the rate limit and stays unanswered.
    expect(await h.sla.firstResponse.recordFirstResponse('x-alburaimigov', 'dm-1', 'a', at('2026-02-06 23:10'))).toBe(1);
    expect(row(h, 'a')).toMatchObject({ responded_at: at('2026-02-06 23:10').getTime(), source: 'provider' });
    expect(row(h, 'b')).toMatchObject({ responded_at: null, source: 'outbox' });
    // Delivery's `sent` (the provider accepted b's reply) records it too.
    const item = {
      id: 2,
      channel: 'x-alburaimigov',
      conversationId: 'dm-1',
      inReplyTo: 'b',
      reply: { text: 'r', language: 'en' as const, kind: 'tajawob' as const },
      meta: {},
      attempts: 1,
      state: 'sent' as const,
      nextAttemptAt: at('2026-02-06 23:50'),
    };
    h.delivery.emit('sent', { item, at: at('2026-02-06 23:50') });
    await h.sla.firstResponse.settled();
    expect(row(h, 'b')).toMatchObject({ responded_at: at('2026-02-06 23:50').getTime(), source: 'provider' });
  });

  it('keeps the engine time for a reply given in the response itself (web chat)', () => {
    h.events.emit('reply.produced', {
      channel: 'webchat',
      conversationId: 'w',
      messageId: 'w1',
      kind: 'answer',
      receivedAt: at('2026-02-02 10:00'),
      at: at('2026-02-02 10:00'),
    });
    expect(row(h, 'w1')).toMatchObject({ responded_at: at('2026-02-02 10:00').getTime(), source: 'engine' });
  });
});

describe('request figures of the report', () => {
  it('counts a request closed and then reopened as open or overdue, not as closed', async () => {
    const { buildSlaReport } = await import('../../bot/sla/reports.js');
    const h = await createHarness();
    const rec = await h.file('training', at('2026-02-01 09:00'));
    await h.store.act(rec.reference, { actor: 'agent:a', at: at('2026-02-02 10:00'), status: 'closed' });
    await h.store.act(rec.reference, { actor: 'agent:a', at: at('2026-02-03 10:00'), status: 'in_progress', note: 'reopened' });
    const report = await buildSlaReport(h.sla.store.figures, h.config, h.calendar, { from: '2026-02-01', to: '2026-02-28' }, at('2026-02-20 10:00'));
    expect(report.requests.total).toMatchObject({ filed: 1, closed: 0, closedOnTime: 0, overdue: 1 });
    await h.close();
  });
});
