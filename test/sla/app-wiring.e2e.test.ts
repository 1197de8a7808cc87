/**
 * The SLA engine inside the assembled app (createTawasul): a request filed through the web chat is
 * announced by e-mail and SMS on loopback servers, its messages get first-response records, it
 * escalates after its period, and the admin, agent and metrics endpoints answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Templates } from '../../bot/core/templates.js';
import { AGENT_TOKEN, ChatClient, type Running, startTawasul } from '../helpers/app.js';
import { startGateway, startSmtp } from '../notify/servers.js';

const ADMIN = 'e2e-admin-token-0123456789abcdef';
let run: Running;
let smtp: Awaited<ReturnType<typeof startSmtp>>;
let gw: Awaited<ReturnType<typeof startGateway>>;

beforeAll(async () => {
  [smtp, gw] = await Promise.all([startSmtp(), startGateway()]);
  run = await startTawasul({
    start: '2026-02-01T09:00:00+04:00',
    env: {
      TAWASUL_AGENT_TOKENS: `amal:${AGENT_TOKEN}`,
      TAWASUL_ADMIN_TOKENS: `root:${ADMIN}`,
      TAWASUL_SMTP_HOST: '127.0.0.1',
      TAWASUL_SMTP_PORT: String(smtp.port),
      TAWASUL_SMTP_FROM: 'no-reply@bur.gov.om',
      TAWASUL_SMS_URL: `${gw.url}/sms`,
    },
  });
});
afterAll(async () => {
  await run?.cleanup();
  await Promise.all([smtp?.close(), gw?.close()]);
});

const admin = async (method: string, path: string): Promise<Response> => fetch(`${run.base}${path}`, { method, headers: { authorization: `Bearer ${ADMIN}` } });

describe('SLA engine wired into the app', () => {
  it('announces, tracks, escalates and reports a request filed through the web chat', async () => {
    const chat = await ChatClient.open(run.base);
    const t = new Templates();
    const answers: Record<string, string> = {
      name: 'John Michael Smith',
      civilId: '87654321',
      phone: '+968 9876 5432',
      email: 'john.smith@example.com',
      description: 'Training in first aid for our volunteers team',
      address: 'skip',
      party: 'skip',
      preferredDate: 'skip',
    };
    let reply = await chat.say('I want to request training');
    for (let i = 0; i < 12 && !/BUR-2026-[0-9A-Z]{4}-[0-9A-Z]{4}/.test(reply); i++) {
      const last = reply.trim().split('\n\n').at(-1)!;
      const field = Object.keys(answers).find((f) => last.endsWith(t.render('en', `ask_${f}`)));
      reply = await chat.say(field ? answers[field]! : 'confirm');
    }
    const reference = /BUR-2026-[0-9A-Z]{4}-[0-9A-Z]{4}/.exec(reply)?.[0];
    expect(reference, reply).toBeDefined();

    const swept = (await (await admin('POST', '/api/admin/sla/sweep')).json()) as { report: { delivery: { sent: number } } };
    expect(swept.report.delivery.sent).toBe(2);
    expect(smtp.received.map((m) => m.mail.subject)).toEqual([`Your request ${reference} has been received`]);
    expect((JSON.parse(gw.requests[0]!.body) as { to: string }).to).toBe('+96898765432');

    // Nobody acts: after 5 working days the training manager is told (inside the system; no contacts configured).
    run.clock.set('2026-02-09T08:30:00+04:00');
    const later = (await (await admin('POST', '/api/admin/sla/sweep')).json()) as { report: { escalations: Array<{ role: string }> } };
    expect(later.report.escalations).toEqual([{ reference, level: 1, role: 'training-manager' }]);
    const inbox = (await (
      await fetch(`${run.base}/api/agent/notifications?role=training-manager`, { headers: { authorization: `Bearer ${AGENT_TOKEN}` } })
    ).json()) as { notifications: Array<{ reference: string }> };
    expect(inbox.notifications.map((n) => n.reference)).toEqual([reference]);
    const failed = (await (await admin('GET', '/api/admin/notifications?status=failed')).json()) as { notifications: Array<{ lastError: string }> };
    expect(failed.notifications.map((n) => n.lastError).sort()).toEqual(['no email address for role', 'no sms address for role']);

    const report = (await (await admin('GET', '/api/admin/reports/sla?from=2026-02-01&to=2026-02-28')).json()) as {
      requests: { total: { filed: number; escalated: number } };
      firstResponse: { byChannel: Array<{ key: string; met: number }> };
    };
    expect(report.requests.total).toMatchObject({ filed: 1, escalated: 1 });
    expect(report.firstResponse.byChannel.find((c) => c.key === 'webchat')!.met).toBeGreaterThan(3);
    expect(await (await fetch(`${run.base}/metrics`)).text()).toContain('tawasul_sla_escalations_fired{level="1",role="training-manager"} 1');
    expect((await fetch(`${run.base}/api/admin/reports/sla?from=2026-02-01&to=2026-02-28`)).status).toBe(401);
  });
});
