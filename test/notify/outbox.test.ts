/** The notification outbox: retries with back-off, staff hours, parking and re-queueing; nothing lost. */
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WorkingCalendar } from '../../bot/calendar/working-calendar.js';
import { loadConfig } from '../../bot/config/load.js';
import { silentLogger } from '../../bot/core/logger.js';
import { type NewNotification, NotificationOutbox } from '../../bot/notify/outbox.js';
import { DeliveryError, type SmsMessage } from '../../bot/notify/types.js';
import { SqliteNotifyStore } from '../../bot/store/sqlite/notify-outbox.js';
import type { SqliteDatabase } from '../../bot/store/sqlite-database.js';
import { migratedSqlite } from '../helpers/sqlite.js';
import { tempDir } from '../helpers/tmp.js';

const config = loadConfig();
const at = (local: string): Date => new Date(`${local.replace(' ', 'T')}:00+04:00`);

/** An SMS sender that fails with the given errors first, then succeeds. */
function flakySms(failures: DeliveryError[]) {
  const sent: SmsMessage[] = [];
  let calls = 0;
  return {
    sent,
    calls: () => calls,
    async send(m: SmsMessage) {
      calls++;
      const f = failures.shift();
      if (f) throw f;
      sent.push(m);
      return {};
    },
  };
}

const note = (over: Partial<NewNotification> = {}): NewNotification => ({
  dedupeKey: 'k1',
  channel: 'sms',
  recipient: { kind: 'role', id: 'training-manager' },
  language: 'ar',
  purpose: 'escalation',
  reference: 'BUR-2026-00001',
  body: 'نص',
  window: 'any',
  ...over,
});

let t: ReturnType<typeof tempDir>;
let sql: SqliteDatabase;
beforeEach(() => {
  t = tempDir();
  sql = migratedSqlite(join(t.dir, 'n.sqlite'));
});
afterEach(() => {
  sql.close();
  t.cleanup();
});

function outbox(sms: ReturnType<typeof flakySms>, resolve = (): string | undefined => '+96892345678') {
  return new NotificationOutbox(new SqliteNotifyStore(sql), {
    retry: { maxAttempts: 4, baseDelaySeconds: 60, maxDelaySeconds: 600 },
    calendar: new WorkingCalendar(config.calendar),
    staffHours: 'official',
    resolve,
    logger: silentLogger,
    sms,
  });
}

describe('notification outbox', () => {
  it('stores a notification once per idempotency key', async () => {
    const o = outbox(flakySms([]));
    expect(await o.enqueue(note(), at('2026-02-01 09:00'))).toBe(true);
    expect(await o.enqueue(note(), at('2026-02-01 09:00'))).toBe(false);
    expect(await o.list()).toHaveLength(1);
  });

  it('retries a failed notification with exponential back-off until it is delivered', async () => {
    const sms = flakySms([new DeliveryError('503', true, 503), new DeliveryError('timeout', true, 'network')]);
    const o = outbox(sms);
    await o.enqueue(note(), at('2026-02-01 09:00'));
    expect(await o.deliver(at('2026-02-01 09:00'))).toMatchObject({ sent: 0, retried: 1 });
    expect((await o.list())[0]).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: at('2026-02-01 09:01'), lastError: '503' });
    expect(await o.deliver(at('2026-02-01 09:00'))).toMatchObject({ sent: 0, retried: 0 }); // not due yet
    expect(await o.deliver(at('2026-02-01 09:01'))).toMatchObject({ retried: 1 });
    expect((await o.list())[0]!.nextAttemptAt).toEqual(at('2026-02-01 09:03')); // 2 minutes after the second failure
    expect(await o.deliver(at('2026-02-01 09:03'))).toMatchObject({ sent: 1 });
    expect((await o.list())[0]).toMatchObject({ status: 'sent', attempts: 3 });
    expect(sms.sent).toHaveLength(1);
  });

  it('parks a notification as failed after a permanent error or too many attempts, and re-queues it', async () => {
    const sms = flakySms([new DeliveryError('400', false, 400)]);
    const o = outbox(sms);
    await o.enqueue(note(), at('2026-02-01 09:00'));
    expect(await o.deliver(at('2026-02-01 09:00'))).toMatchObject({ failed: 1 });
    expect(await o.list({ status: 'failed' })).toHaveLength(1);
    expect(await o.requeue((await o.list())[0]!.id, at('2026-02-01 10:00'))).toBe(true);
    expect(await o.deliver(at('2026-02-01 10:00'))).toMatchObject({ sent: 1 });

    const always = flakySms(Array.from({ length: 10 }, () => new DeliveryError('503', true, 503)));
    const o2 = outbox(always);
    await o2.enqueue(note({ dedupeKey: 'k2' }), at('2026-02-01 09:00'));
    for (let i = 0; i < 10; i++) await o2.deliver(new Date(at('2026-02-01 09:00').getTime() + i * 15 * 60_000));
    expect(always.calls()).toBe(4);
    expect((await o2.list({ status: 'failed' })).map((n) => [n.attempts, n.lastError])).toEqual([[4, '503']]);
  });

  it('sends staff notifications only in official hours, retries included', async () => {
    const sms = flakySms([new DeliveryError('503', true, 503)]);
    const o = outbox(sms);
    await o.enqueue(note({ window: 'staff' }), at('2026-02-05 20:00')); // Thursday evening
    expect((await o.list())[0]!.nextAttemptAt).toEqual(at('2026-02-08 08:00'));
    expect(await o.deliver(at('2026-02-06 10:00'))).toMatchObject({ sent: 0, retried: 0 });
    expect(await o.deliver(at('2026-02-08 14:19'))).toMatchObject({ retried: 1 });
    expect((await o.list())[0]!.nextAttemptAt).toEqual(at('2026-02-09 08:00')); // 14:20 is closing time
    expect(await o.deliver(at('2026-02-09 08:00'))).toMatchObject({ sent: 1 });
  });

  it('keeps notifications when a transport is not configured, and fails those without an address', async () => {
    const o = new NotificationOutbox(new SqliteNotifyStore(sql), {
      retry: { maxAttempts: 4, baseDelaySeconds: 60, maxDelaySeconds: 600 },
      calendar: new WorkingCalendar(config.calendar),
      staffHours: 'official',
      resolve: (r) => (r.id === 'nobody' ? undefined : 'x@bur.gov.om'),
      logger: silentLogger,
    });
    await o.enqueue(note({ channel: 'email', subject: 's' }), at('2026-02-01 09:00'));
    expect(await o.deliver(at('2026-02-01 09:00'))).toMatchObject({ deferred: 1 });
    expect((await o.list())[0]).toMatchObject({ status: 'pending', attempts: 0, lastError: 'email transport not configured' });
    const sms = flakySms([]);
    o.setTransports({ sms });
    await o.enqueue(note({ dedupeKey: 'k3', recipient: { kind: 'role', id: 'nobody' } }), at('2026-02-01 09:00'));
    expect(await o.deliver(at('2026-02-01 09:00'))).toMatchObject({ failed: 1 });
    expect((await o.list({ status: 'failed' }))[0]!.lastError).toBe('no sms address for role');
  });

  it('logs every outcome through the one engine without the address, the phone number or the text', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => lines.push(l) });
    const sms = flakySms([new DeliveryError('sms gateway answered 503', true, 503)]);
    const o = new NotificationOutbox(new SqliteNotifyStore(sql), {
      retry: { maxAttempts: 4, baseDelaySeconds: 60, maxDelaySeconds: 600 },
      calendar: new WorkingCalendar(config.calendar),
      staffHours: 'official',
      resolve: (r) => (r.id === 'nobody' ? undefined : '+96892345678'),
      logger,
      sms,
    });
    await o.enqueue(note(), at('2026-02-01 09:00'));
    await o.enqueue(note({ dedupeKey: 'k4', recipient: { kind: 'role', id: 'nobody' } }), at('2026-02-01 09:00'));
    expect(await o.deliver(at('2026-02-01 09:00'))).toMatchObject({ retried: 1, failed: 1 });
    expect(await o.deliver(at('2026-02-01 09:01'))).toMatchObject({ sent: 1 });
    const logged = lines.map((l) => JSON.parse(l) as { msg: string });
    expect(logged.map((l) => l.msg)).toEqual(['notification parked', 'notification will be retried', 'notification sent']);
    expect(logged[0]).toMatchObject({ purpose: 'escalation', reference: 'BUR-2026-00001', error: 'no sms address for role' });
    expect(lines.join('\n')).not.toMatch(/92345678|نص/);
  });
});
