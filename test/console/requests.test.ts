import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildSlaReport } from '../../bot/sla/reports.js';
import { SqliteSlaFigures } from '../../bot/store/sqlite/sla-requests.js';
import { type Running, startTawasul } from '../helpers/app.js';
import { addAccount, ConsoleClient, fileRequest, POTHOLE_FIELDS, SseReader } from './helpers.js';

describe('console requests, SLA and admin API', () => {
  let run: Running;
  let agent: ConsoleClient;
  let equipment: ConsoleClient;
  let training: ConsoleClient;
  let supervisor: ConsoleClient;
  let admin: ConsoleClient;
  let pothole: string;
  let course: string;
  beforeAll(async () => {
    run = await startTawasul();
    await addAccount(run, 'amal', 'agent');
    await addAccount(run, 'hamad', 'department', ['municipal-equipment']);
    await addAccount(run, 'dana', 'department', ['training']);
    await addAccount(run, 'sara', 'supervisor');
    await addAccount(run, 'root', 'admin');
  });
  beforeEach(async () => {
    const c = await Promise.all(['amal', 'hamad', 'dana', 'sara', 'root'].map((u) => new ConsoleClient(run.base).signIn(u)));
    [agent, equipment, training, supervisor, admin] = [c[0]!, c[1]!, c[2]!, c[3]!, c[4]!];
    pothole ??= await fileRequest(agent);
    course ??= await fileRequest(agent, 'training', {
      name: 'مريم سالم الكعبي',
      civilId: '87654321',
      phone: '99887766',
      description: 'أرغب في التدريب الصيفي بقسم التدريب',
    });
  });
  afterAll(async () => {
    await run?.cleanup();
  });

  it('files a request for a caller through the intake validators, naming the bad field', async () => {
    const bad = await agent.post('/api/console/requests', { serviceId: 'potholes', fields: { ...POTHOLE_FIELDS, civilId: '12ab' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('fields.civilId');
    const missing = await agent.post('/api/console/requests', { serviceId: 'potholes', fields: { ...POTHOLE_FIELDS, address: '' } });
    expect(missing.body.error.field).toBe('fields.address');
    const phone = await agent.post('/api/console/requests', { serviceId: 'potholes', fields: { ...POTHOLE_FIELDS, phone: '12345' } });
    expect(phone.body.error.field).toBe('fields.phone');
    const service = await agent.post('/api/console/requests', { serviceId: 'moon-landing', fields: POTHOLE_FIELDS });
    expect(service.body.error.field).toBe('serviceId');
    const foreign = await agent.post('/api/console/requests', { serviceId: 'training', fields: { ...POTHOLE_FIELDS } });
    expect(foreign.body.error.field).toBe('fields.address');
    expect((await equipment.post('/api/console/requests', { serviceId: 'potholes', fields: POTHOLE_FIELDS })).status).toBe(403);
    expect(pothole).toMatch(/^BUR-\d{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  });

  it('a department head sees only their departments, masked in lists; another department is 403', async () => {
    const list = (await equipment.get('/api/console/requests')).body;
    expect(list.requests.map((r: { reference: string }) => r.reference)).toContain(pothole);
    expect(list.requests.map((r: { reference: string }) => r.reference)).not.toContain(course);
    const row = list.requests.find((r: { reference: string }) => r.reference === pothole);
    expect(row.applicant.civilId).toBe('•••••678');
    expect(row.applicant.phone).toBe('••••4567');
    expect(JSON.stringify(list)).not.toContain('12345678');
    const other = await equipment.get(`/api/console/requests/${course}`);
    expect(other.status).toBe(403);
    expect(other.body.error.reason).toBe('other_department');
    expect((await training.get(`/api/console/requests/${pothole}`)).status).toBe(403);
    expect((await training.post(`/api/console/requests/${pothole}/actions`, { action: 'accept' })).status).toBe(403);
    expect((await equipment.get('/api/console/requests?department=training')).body.requests).toEqual([]);
  });

  it('the record shows civil ID and phone in full, and that reading is in the audit trail admins read', async () => {
    const rec = (await equipment.get(`/api/console/requests/${pothole}`)).body;
    expect(rec.request.applicant).toMatchObject({ civilId: '12345678', phone: expect.stringContaining('91234567') });
    expect(rec.sla.timers.length).toBeGreaterThan(0);
    expect(rec.request.history[0].status).toBe('filed');
    expect((await equipment.get('/api/console/audit')).status).toBe(403);
    expect((await supervisor.get('/api/console/audit')).status).toBe(403);
    const audit = (await admin.get('/api/console/audit')).body.audit as Array<{ actor: string; action: string; subject: string }>;
    expect(audit).toContainEqual(expect.objectContaining({ actor: 'console:hamad', action: 'request.read', subject: pothole }));
    expect(audit).toContainEqual(expect.objectContaining({ actor: 'console:hamad', action: 'request.read.denied', subject: course }));
  });

  it('filters by service, status, overdue, escalated, channel, date and reference', async () => {
    const q = async (s: string): Promise<string[]> =>
      ((await supervisor.get(`/api/console/requests?${s}`)).body.requests as Array<{ reference: string }>).map((r) => r.reference);
    expect(await q('service=training')).toEqual([course]);
    expect(await q(`q=${pothole.slice(-5)}`)).toContain(pothole);
    expect(await q('status=closed')).toEqual([]);
    expect(await q('overdue=true')).toEqual([]);
    expect(await q('escalated=true')).toEqual([]);
    expect(await q('channel=phone')).toEqual(expect.arrayContaining([pothole, course]));
    expect(await q('from=2030-01-01')).toEqual([]);
    const bad = await supervisor.get('/api/console/requests?status=lost');
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('status.0');
    expect((await supervisor.get('/api/console/requests?from=yesterday')).body.error.field).toBe('from');
  });

  it('accept, reject (only with a reason), note, assign: each recorded and the resident notified', async () => {
    const sse = await SseReader.open(run.base, equipment);
    const noReason = await equipment.post(`/api/console/requests/${pothole}/actions`, { action: 'reject' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.field).toBe('reason');
    const ok = await equipment.post(`/api/console/requests/${pothole}/actions`, { action: 'accept' });
    expect(ok.status).toBe(201);
    expect(ok.body.request.status).toBe('in_progress');
    await sse.next((e) => e.event === 'request' && e.data.reference === pothole && e.data.reason === 'accept');
    const notified = run.app.sql.db
      .prepare("SELECT purpose, substr(channel, 8) AS channel FROM outbox WHERE recipient_kind IS NOT NULL AND reference = ? AND purpose = 'status'")
      .all(pothole);
    expect(notified.length).toBeGreaterThan(0);
    expect((await equipment.post(`/api/console/requests/${pothole}/actions`, { action: 'assign', assignee: 'فريق الصيانة 2' })).status).toBe(201);
    expect((await equipment.post(`/api/console/requests/${pothole}/actions`, { action: 'note' })).body.error.field).toBe('note');
    const history = (await equipment.get(`/api/console/requests/${pothole}`)).body.request.history as Array<{ type: string; actor: string }>;
    expect(history.filter((h) => h.actor === 'console:hamad').map((h) => h.type)).toEqual(expect.arrayContaining(['status', 'assignment']));
    expect((await agent.post(`/api/console/requests/${pothole}/actions`, { action: 'accept' })).status).toBe(403);
    sse.close();
  });

  it('escalations arrive live as notifications for the department, with an unread count', async () => {
    const sse = await SseReader.open(run.base, training);
    const agentSse = await SseReader.open(run.base, agent);
    run.clock.set('2027-01-03T05:00:00Z'); // a Sunday morning, six weeks on: every level-1 deadline has passed
    await run.app.console.sla.engine.sweep(run.clock.now());
    run.app.console.hub.pollNotifications();
    const n = await sse.next((e) => e.event === 'notification' && e.data.reference === course);
    expect(n.data.kind).toBe('escalation');
    expect(agentSse.events.some((e) => e.event === 'notification')).toBe(false);
    training = await new ConsoleClient(run.base).signIn('dana');
    const list = (await training.get('/api/console/notifications')).body;
    expect(list.unread).toBeGreaterThan(0);
    expect(list.notifications.every((x: { department: string }) => x.department === 'training')).toBe(true);
    expect((await training.post(`/api/console/notifications/${n.data.id}/read`)).status).toBe(200);
    expect((await training.get('/api/console/notifications')).body.unread).toBe(list.unread - 1);
    sse.close();
    agentSse.close();
  });

  it('the SLA report has the same figures as tawasul sla-report, and a CSV per chart', async () => {
    supervisor = await new ConsoleClient(run.base).signIn('sara');
    const r = await supervisor.get('/api/console/sla/report?from=2026-11-01&to=2026-11-30&bucket=month');
    expect(r.status).toBe(200);
    const c = run.app.console.sla.ctx;
    const direct = await buildSlaReport(
      new SqliteSlaFigures(run.app.sql),
      c.config,
      c.calendar,
      { from: '2026-11-01', to: '2026-11-30', bucket: 'month' },
      run.clock.now(),
    );
    expect(r.body.requests).toEqual(direct.requests);
    const cli = JSON.parse(
      execFileSync('npx', ['tsx', 'bot/cli/main.ts', 'sla-report', '--data', run.dataDir, '--from', '2026-11-01', '--to', '2026-11-30', '--json'], {
        encoding: 'utf8',
      }),
    );
    expect(r.body.requests.byService).toEqual(cli.requests.byService);
    expect(r.body.firstResponse.total.messages).toBe(cli.firstResponse.total.messages);
    const csv = await supervisor.get('/api/console/sla/report?from=2026-11-01&to=2026-11-30&chart=completion-by-service');
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(
      String(csv.body)
        .split('\r\n')
        .filter((l) => l.startsWith('requests,service,')).length,
    ).toBe(direct.requests.byService.length);
    expect((await supervisor.get('/api/console/sla/report?from=2026-11-30&to=2026-11-01')).body.error.field).toBe('to');
    expect((await supervisor.get('/api/console/sla/report?from=2026-11-01&to=2026-11-30&chart=pie')).body.error.field).toBe('chart');
    expect((await agent.get('/api/console/sla/report?from=2026-11-01&to=2026-11-30')).status).toBe(403);
    expect((await supervisor.get('/api/console/sla/live')).body).toHaveProperty('overdueRequests');
  });

  it('admins move a holiday and open requests are recomputed; others may not', async () => {
    admin = await new ConsoleClient(run.base).signIn('root');
    const holidays = (await admin.get('/api/console/calendar/holidays?year=2027')).body.holidays as Array<{ id: string; from: string }>;
    expect(holidays.length).toBeGreaterThan(3);
    const bad = await admin.post('/api/console/calendar/holidays', { id: 'Eid', from: '2027-03-09' });
    expect(bad.body.error.field).toBe('id');
    expect((await agent.post('/api/console/calendar/holidays', { id: 'x', from: '2027-03-09' })).status).toBe(403);
    const moved = await admin.post('/api/console/calendar/holidays', {
      id: 'console-test-day',
      from: '2026-12-30',
      status: 'confirmed',
      name: { ar: 'يوم اختبار', en: 'Test day' },
    });
    expect(moved.status).toBe(201);
    expect(moved.body.change).toHaveProperty('requestsRecomputed');
  });

  it('admins manage accounts; a department account needs known departments', async () => {
    const bad = await admin.post('/api/console/accounts', { username: 'x1', role: 'department', departments: ['moon'], password: 'long enough pw' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('departments');
    const weak = await admin.post('/api/console/accounts', { username: 'x2', role: 'agent', password: 'short' });
    expect(weak.body.error.field).toBe('password');
    const dup = await admin.post('/api/console/accounts', { username: 'amal', role: 'agent', password: 'long enough pw' });
    expect(dup.status).toBe(409);
    expect((await equipment.get('/api/console/accounts')).status).toBe(403);
    expect((await admin.post('/api/console/accounts/root/disable')).status).toBe(400);
  });
});
