/** SLA reports (JSON, CSV, CLI) and Prometheus metrics over a month of requests and messages. */

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { dueCommand } from '../../bot/cli/due.js';
import { slaReportCommand } from '../../bot/cli/sla-report.js';
import type { SlaReport } from '../../bot/sla/reports.js';
import { ADMIN_TOKEN, at, createHarness, type Harness } from './harness.js';

let h: Harness;
let server: Server;
let base: string;
const refs: string[] = [];

beforeAll(async () => {
  h = await createHarness({ start: '2026-02-01T09:00:00+04:00' });
  refs.push((await h.file('training', at('2026-02-01 09:00'))).reference);
  refs.push((await h.file('training', at('2026-02-01 09:00'), { channel: 'whatsapp' })).reference);
  refs.push((await h.file('potholes', at('2026-02-02 09:00'))).reference);
  refs.push((await h.file('pest-control', at('2026-02-18 09:00'))).reference);
  await h.file('training', at('2026-03-01 09:00')); // outside the period
  await h.sla.engine.recordAction(refs[0]!, { actor: 'agent:a', at: at('2026-02-05 10:00'), status: 'closed' });
  await h.sla.engine.sweep(at('2026-02-09 08:00'));
  await h.sla.engine.recordAction(refs[1]!, { actor: 'agent:a', at: at('2026-02-12 10:00'), status: 'closed' });
  await h.sla.engine.sweep(at('2026-02-17 08:00'));

  const reply = (channel: string, conversationId: string, received: string, replied: string): void => {
    h.events.emit('reply.produced', {
      channel,
      conversationId,
      messageId: `${conversationId}:${received}`,
      kind: 'answer',
      receivedAt: at(received),
      at: at(replied),
    });
  };
  reply('x-alburaimigov', 'dm-1', '2026-02-06 23:50', '2026-02-06 23:51');
  reply('x-burmunicpality', 'dm-2', '2026-02-06 23:00', '2026-02-06 23:45');
  h.delivery.emit('needsHuman', { channel: 'x-alburaimigov', conversationId: 'dm-3', messageId: 'm-3', receivedAt: at('2026-02-19 10:00') });
  h.delivery.emit('needsHuman', { channel: 'email', conversationId: 'mail-1', messageId: 'm-4', receivedAt: at('2026-02-19 12:00') });
  reply('webchat', 'w-1', '2026-02-10 10:00', '2026-02-10 10:00');
  reply('whatsapp', 'wa-1', '2026-02-05 20:00', '2026-02-05 20:00');
  // As delivery does in the same transaction: the reply waits in the outbox until the provider accepts it.
  h.delivery.emit('queued', { channel: 'whatsapp', conversationId: 'wa-1', messageId: 'wa-1:2026-02-05 20:00', receivedAt: at('2026-02-05 20:00') });
  expect(await h.sla.firstResponse.recordFirstResponse('whatsapp', 'wa-1', undefined, at('2026-02-08 09:00'))).toBe(1);
  // The provider's acceptance of another message's reply never stands in for this one's.
  expect(await h.sla.firstResponse.recordFirstResponse('whatsapp', 'wa-1', 'some-other-message', at('2026-02-08 09:00'))).toBe(0);
  h.clock.set(at('2026-02-20 10:00'));

  const app = express();
  h.sla.mount(app);
  server = await new Promise<Server>((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await h.close();
});

const get = (path: string, token = ADMIN_TOKEN) => fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });

describe('SLA report', () => {
  it('counts requests closed on time, late, overdue and escalated, per channel, service, department and period', async () => {
    const res = await get('/api/admin/reports/sla?from=2026-02-01&to=2026-02-28');
    expect(res.status).toBe(200);
    const r = (await res.json()) as SlaReport;
    expect(r.requests.total).toEqual({
      key: 'total',
      filed: 4,
      closed: 2,
      closedOnTime: 1,
      closedLate: 1,
      open: 1,
      overdue: 1,
      escalated: 2,
      onTimeRate: 0.3333,
    });
    expect(r.requests.byChannel.map((m) => [m.key, m.filed, m.closedOnTime, m.closedLate, m.overdue, m.escalated])).toEqual([
      ['webchat', 3, 1, 0, 1, 1],
      ['whatsapp', 1, 0, 1, 0, 1],
    ]);
    expect(r.requests.byService.map((m) => [m.key, m.filed])).toEqual([
      ['pest-control', 1],
      ['potholes', 1],
      ['training', 2],
    ]);
    expect(r.requests.byDepartment.map((m) => m.key)).toEqual(['municipal-equipment', 'municipal-health', 'training']);
    expect(r.requests.byPeriod.map((m) => [m.key, m.filed])).toEqual([['2026-02', 4]]);
    expect(r.escalations).toEqual([
      { level: 1, role: 'equipment-section-head', count: 1 },
      { level: 1, role: 'training-manager', count: 1 },
    ]);
  });

  it('shows first responses met and missed per channel and account', async () => {
    const r = (await (await get('/api/admin/reports/sla?from=2026-02-01&to=2026-02-28&bucket=day')).json()) as SlaReport;
    expect(r.firstResponse.total).toMatchObject({ messages: 6, met: 3, missed: 2, pending: 1, metRate: 0.6 });
    const by = Object.fromEntries(r.firstResponse.byChannel.map((m) => [m.key, [m.account ?? null, m.met, m.missed, m.pending]]));
    expect(by).toEqual({
      email: [null, 0, 0, 1],
      webchat: [null, 1, 0, 0],
      whatsapp: [null, 1, 0, 0],
      'x-alburaimigov': ['alburaimigov', 1, 1, 0],
      'x-burmunicpality': ['burmunicpality', 0, 1, 0],
    });
    expect(r.firstResponse.byPeriod.map((m) => m.key)).toEqual(['2026-02-05', '2026-02-06', '2026-02-10', '2026-02-19']);
  });

  it('exports CSV and refuses bad queries and other tokens', async () => {
    const res = await get('/api/admin/reports/sla?from=2026-02-01&to=2026-02-28&format=csv');
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await res.text()).trim().split('\r\n');
    expect(lines[0]).toBe(
      'section,group,key,account,filed,closed,closed_on_time,closed_late,open,overdue,escalated,on_time_rate,messages,met,missed,pending,met_rate,median_seconds',
    );
    expect(lines[1]).toBe('requests,total,total,,4,2,1,1,1,1,2,0.3333,,,,,,');
    expect(lines).toContain('first_response,channel,x-burmunicpality,burmunicpality,,,,,,,,,1,0,1,0,0,2700');
    expect((await get('/api/admin/reports/sla?from=2026-02-28&to=2026-02-01')).status).toBe(400);
    expect((await get('/api/admin/reports/sla?from=2026-02')).status).toBe(400);
    expect((await get('/api/admin/reports/sla?from=2026-02-01&to=2026-02-28', 'agent-token-not-admin-000000')).status).toBe(401);
  });

  it('exposes Prometheus metrics on /metrics from a dedicated registry', async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toContain('tawasul_sla_requests{service="potholes",department="municipal-equipment",state="overdue"} 1');
    expect(text).toContain('tawasul_sla_requests{service="pest-control",department="municipal-health",state="open"} 1');
    expect(text).toContain('tawasul_sla_escalations_fired{level="1",role="training-manager"} 1');
    expect(text).toContain('tawasul_sla_first_responses_30d{channel="x-burmunicpality",outcome="missed"} 1');
    expect(text).toMatch(/tawasul_notifications\{channel="email",status="sent"\} \d+/);
    expect(text).toContain('tawasul_sla_sweep_seconds_count');
    expect(text).not.toContain('process_cpu'); // not the global default registry
  });

  it('prints the report and due dates from the command line', async () => {
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    });
    try {
      expect(await slaReportCommand.run({ data: h.dir, from: '2026-02-01', to: '2026-02-28', csv: true }, [])).toBe(0);
      expect(out.join('')).toContain('requests,service,training,,2,2,1,1,0,0,1,');
      out.length = 0;
      expect(await slaReportCommand.run({ data: h.dir, from: '2026-02-01', to: '2026-02-28' }, [])).toBe(0);
      expect(out.join('')).toMatch(/channel x-alburaimigov \(@alburaimigov\)\s+2\s+1\s+1\s+0/);
      out.length = 0;
      expect(await dueCommand.run({ data: h.dir, service: 'training', from: '2026-02-05T20:30' }, [])).toBe(0);
      expect(out.join('')).toContain('due           2026-02-12T14:20+04:00 (Thursday)  5 working days');
      expect(out.join('')).toContain('escalation 1  2026-02-15T08:00+04:00 (Sunday)  to training-manager via system, email, sms');
    } finally {
      spy.mockRestore();
    }
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await dueCommand.run({ data: h.dir, service: 'training', from: 'yesterday' }, [])).toBe(2);
      expect(await slaReportCommand.run({ data: `${h.dir}/missing`, from: '2026-02-01', to: '2026-02-28' }, [])).toBe(1);
    } finally {
      err.mockRestore();
    }
  });
});
