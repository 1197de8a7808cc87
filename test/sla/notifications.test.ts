/**
 * Residents and staff are told, through a real SMTP server and a real HTTP SMS gateway on loopback:
 * request accepted, status changed, deadline missed (why and what is being done), escalations.
 */

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import express from 'express';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../bot/core/logger.js';
import { startGateway, startSmtp } from '../notify/servers.js';
import { AGENT_TOKEN, at, createHarness, type Harness } from './harness.js';

let smtp: Awaited<ReturnType<typeof startSmtp>>;
let gw: Awaited<ReturnType<typeof startGateway>>;
beforeAll(async () => {
  [smtp, gw] = await Promise.all([startSmtp(), startGateway()]);
});
afterAll(async () => {
  await Promise.all([smtp.close(), gw.close()]);
});

let h: Harness;
let server: Server | undefined;
const logs: string[] = [];
afterEach(async () => {
  if (server) await new Promise<void>((r) => server!.close(() => r()));
  server = undefined;
  await h?.close();
  smtp.received.length = 0;
  gw.requests.length = 0;
  logs.length = 0;
});

async function start(): Promise<Harness> {
  const logger = createLogger({
    level: 'info',
    destination: new Writable({
      write(chunk, _enc, cb) {
        logs.push(String(chunk));
        cb();
      },
    }),
  });
  return createHarness({
    transports: {},
    logger,
    env: {
      TAWASUL_SMTP_HOST: '127.0.0.1',
      TAWASUL_SMTP_PORT: String(smtp.port),
      TAWASUL_SMTP_FROM: 'Tawasul <no-reply@bur.gov.om>',
      TAWASUL_SMS_URL: `${gw.url}/sms`,
    },
  });
}
const smsTo = (phone: string) => gw.requests.map((r) => JSON.parse(r.body) as { to: string; text: string }).filter((b) => b.to === phone);
const mailTo = (addr: string) => smtp.received.filter((m) => m.envelopeTo.includes(addr)).map((m) => m.mail);

describe('resident and staff notifications', () => {
  it("announces an accepted request by e-mail (right-to-left) and SMS, in the request's language", async () => {
    h = await start();
    const ar = await h.file('training', at('2026-02-01 09:00'));
    const en = await h.file('pest-control', at('2026-02-01 09:05'), {
      language: 'en',
      applicant: { name: 'John Smith', civilId: '87654321', phone: '+968 9111 2222' },
    });
    const report = await h.sla.engine.sweep(at('2026-02-01 09:06'));
    expect(report.delivery).toMatchObject({ sent: 3, failed: 0 });
    const [mail] = mailTo('salem@example.om');
    expect(mail!.subject).toBe(`تم استلام طلبك رقم ${ar.reference}`);
    expect(mail!.html).toContain('dir="rtl"');
    expect(mail!.text).toContain('طلب تدريب');
    expect(mail!.text).toContain('الأحد، 8 فبراير 2026');
    expect(smsTo('+96892345678')[0]!.text).toContain(ar.reference);
    const enSms = smsTo('+96891112222');
    expect(enSms).toHaveLength(1);
    expect(enSms[0]!.text).toContain(`reference ${en.reference}`);
    expect(enSms[0]!.text).toContain('Disease-vector and rodent control');
    // A second sweep sends nothing again.
    expect((await h.sla.engine.sweep(at('2026-02-01 09:10'))).delivery.sent).toBe(0);
    // Logs carry references and ids, never personal data.
    const text = logs.join('');
    expect(text).toContain(ar.reference);
    for (const pii of ['salem@example.om', '92345678', '9111', 'سالم', 'John', '12345678']) expect(text).not.toContain(pii);
  });

  it('tells the resident when staff change the status through the agent API, with their message', async () => {
    h = await start();
    const rec = await h.file('stray-animals', at('2026-02-01 09:00'));
    const app = express();
    h.sla.mount(app);
    server = await new Promise<Server>((r) => {
      const s = app.listen(0, '127.0.0.1', () => r(s));
    });
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    h.clock.set(at('2026-02-02 10:00'));
    const post = (body: unknown, token = AGENT_TOKEN) =>
      fetch(`${base}/api/agent/requests/${rec.reference}/actions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await post({ status: 'in_progress' }, 'wrong-token-0123456789')).status).toBe(401);
    expect((await post({})).status).toBe(400);
    const res = await post({ status: 'in_progress', residentMessage: 'سيزوركم فريق المكافحة يوم الثلاثاء' });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { request: { status: string }; nextEscalation: { level: number; dueAt: string } };
    expect(body.request.status).toBe('in_progress');
    expect(body.nextEscalation).toMatchObject({ level: 1, dueAt: new Date(at('2026-02-09 14:20')).toISOString() });
    expect((await post({ note: 'ملاحظة داخلية' })).status).toBe(201); // a note: no message to the resident
    expect(
      (
        await fetch(`${base}/api/agent/requests/BUR-1999-99999/actions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${AGENT_TOKEN}`, 'content-type': 'application/json' },
          body: '{"note":"x"}',
        })
      ).status,
    ).toBe(404);
    await h.sla.engine.sweep(at('2026-02-02 10:01'));
    const mails = mailTo('salem@example.om');
    expect(mails.map((m) => m.subject)).toEqual([`تم استلام طلبك رقم ${rec.reference}`, `تحديث حالة طلبك رقم ${rec.reference}`]);
    expect(mails[1]!.text).toContain('قيد الإجراء');
    expect(mails[1]!.text).toContain('سيزوركم فريق المكافحة يوم الثلاثاء');
    expect(smsTo('+96892345678')).toHaveLength(2);
    const sla = (await (await fetch(`${base}/api/agent/requests/${rec.reference}/sla`, { headers: { authorization: `Bearer ${AGENT_TOKEN}` } })).json()) as {
      timers: unknown[];
    };
    expect(sla.timers).toHaveLength(2);
  });

  it("explains a missed deadline once: why, and what is being done (the SPEC's right no. 8)", async () => {
    h = await start();
    const rec = await h.file('training', at('2026-02-01 09:00'));
    const meeting = await h.file('governor-meeting', at('2026-02-01 09:00'), { language: 'en' });
    await h.sla.engine.sweep(at('2026-02-01 09:01'));
    const r1 = await h.sla.engine.sweep(at('2026-02-09 08:00'));
    expect(r1.escalations.map((e) => e.reference)).toEqual([rec.reference]);
    expect(r1.overdueNotices).toEqual([rec.reference]);
    const overdue = mailTo('salem@example.om').find((m) => m.subject!.startsWith('نعتذر'))!;
    expect(overdue.text).toContain('السبب: لم يُستكمَل الإجراء لدى قسم التدريب خلال المدة المحددة (5 أيام عمل).');
    expect(overdue.text).toContain('ما نقوم به: رُفع طلبك إلى مدير قسم التدريب لمتابعة إنجازه في أقرب وقت.');
    expect(overdue.html).toContain('dir="rtl"');
    // The meeting (6 working days, per the Governor's schedule) is due on the 9th and escalates on the 11th.
    const r2 = await h.sla.engine.sweep(at('2026-02-10 08:00'));
    expect(r2.overdueNotices).toEqual([meeting.reference]);
    const en = smsTo('+96892345678').find((s) => s.text.includes(meeting.reference) && s.text.includes('sorry'))!;
    expect(en.text).toContain("per H.E. the Governor's schedule");
    expect(en.text).toContain("it will be escalated to the Director of the Governor's office on Wednesday, 11 February 2026");
    const again = await h.sla.engine.sweep(at('2026-02-12 08:00'));
    expect(again.overdueNotices).toEqual([]);
    // Escalations reached the roles over SMTP and SMS.
    expect(mailTo('training-manager@bur.gov.om').map((m) => m.subject)).toEqual([`تصعيد (المستوى 1): الطلب ${rec.reference} دون إجراء منذ 5 أيام عمل`]);
    expect(mailTo('governor-office-director@bur.gov.om')).toHaveLength(1);
    expect(gw.requests.filter((r) => (JSON.parse(r.body) as { text: string }).text.startsWith(`تواصل: تصعيد مستوى 1 - الطلب ${rec.reference}`))).toHaveLength(
      1,
    );
    const console = await h.sla.system.list({ role: 'training-manager' });
    expect(console).toHaveLength(1);
    expect(console[0]).toMatchObject({ kind: 'escalation', level: 1, reference: rec.reference });
  });

  it('keeps notifications through an SMTP outage and a restart, and delivers them later', async () => {
    const env = { TAWASUL_SMTP_HOST: '127.0.0.1', TAWASUL_SMTP_PORT: '1', TAWASUL_SMTP_FROM: 'x@bur.gov.om', TAWASUL_SMS_URL: `${gw.url}/sms` };
    h = await createHarness({ transports: {}, env });
    await h.file('training', at('2026-02-01 09:00'));
    const first = await h.sla.engine.sweep(at('2026-02-01 09:01'));
    expect(first.delivery).toMatchObject({ sent: 1, retried: 1 });
    expect((await h.sla.outbox.list({ status: 'pending' })).map((p) => [p.channel, p.attempts])).toEqual([['email', 1]]);
    // Restart with SMTP working again: the stored e-mail goes out at its next attempt, once.
    h = await h.restart({ transports: {}, env: { ...env, TAWASUL_SMTP_PORT: String(smtp.port) } });
    expect((await h.sla.engine.sweep(at('2026-02-01 09:01'))).delivery.sent).toBe(0);
    expect((await h.sla.engine.sweep(at('2026-02-01 09:02'))).delivery.sent).toBe(1);
    expect(mailTo('salem@example.om')).toHaveLength(1);
    expect(await h.sla.outbox.list({ status: 'sent' })).toHaveLength(2);
  });
});
