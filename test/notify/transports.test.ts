/** E-mail to a real SMTP server on loopback and SMS to a loopback HTTP gateway, in every supported format. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../bot/config/load.js';
import { renderEmailHtml, resolveEmailSettings, SmtpEmailSender } from '../../bot/notify/email.js';
import { HttpSmsSender, resolveSmsSettings, toE164 } from '../../bot/notify/sms.js';
import { DeliveryError } from '../../bot/notify/types.js';
import { startGateway, startSmtp } from './servers.js';

const sla = loadConfig().sla;

describe('e-mail over SMTP', () => {
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  beforeAll(async () => {
    smtp = await startSmtp();
  });
  afterAll(async () => {
    await smtp.close();
  });

  const sender = (): SmtpEmailSender => {
    const settings = resolveEmailSettings(sla.notifications.email, {
      TAWASUL_SMTP_HOST: '127.0.0.1',
      TAWASUL_SMTP_PORT: String(smtp.port),
      TAWASUL_SMTP_FROM: 'Tawasul <no-reply@bur.gov.om>',
    });
    expect(settings).toBeDefined();
    return new SmtpEmailSender({ ...settings!, timeoutMs: 5000 });
  };

  it('reads host, port and sender from the environment variables the YAML names', () => {
    expect(resolveEmailSettings(sla.notifications.email, {})).toBeUndefined();
    const s = resolveEmailSettings(sla.notifications.email, {
      TAWASUL_SMTP_HOST: 'smtp.example',
      TAWASUL_SMTP_FROM: 'x@bur.gov.om',
      TAWASUL_SMTP_USER: 'u',
      TAWASUL_SMTP_PASS: 'p',
    });
    expect(s).toMatchObject({ host: 'smtp.example', port: 587, from: 'x@bur.gov.om', user: 'u', pass: 'p' });
  });

  it("falls back to the e-mail channel's TAWASUL_SMTP_URL for the server", () => {
    const s = resolveEmailSettings(sla.notifications.email, {
      TAWASUL_SMTP_URL: 'smtps://help%40bur.gov.om:s3cret@mail.bur.gov.om',
      TAWASUL_SMTP_FROM: 'x@bur.gov.om',
    });
    expect(s).toMatchObject({ host: 'mail.bur.gov.om', port: 465, secure: true, user: 'help@bur.gov.om', pass: 's3cret', from: 'x@bur.gov.om' });
    expect(resolveEmailSettings(sla.notifications.email, { TAWASUL_SMTP_URL: 'smtp://mail.bur.gov.om:2525', TAWASUL_SMTP_FROM: 'x@bur.gov.om' })).toMatchObject(
      { port: 2525, secure: false },
    );
  });

  it('delivers an Arabic message as right-to-left HTML with a plain-text part', async () => {
    const s = sender();
    const res = await s.send({
      to: 'resident@example.om',
      subject: 'تم استلام طلبك رقم BUR-2026-00001',
      text: 'مرحباً بك،\n\nتم استلام طلبك.\nالرابط: https://service.bur.gov.om/',
      language: 'ar',
      tag: 'outbox-1',
    });
    s.close();
    expect(res.providerId).toMatch(/@/);
    const got = smtp.received.at(-1)!;
    expect(got.envelopeTo).toEqual(['resident@example.om']);
    expect(got.mail.subject).toBe('تم استلام طلبك رقم BUR-2026-00001');
    expect(got.mail.text).toContain('تم استلام طلبك.');
    expect(got.mail.html).toContain('<html lang="ar" dir="rtl">');
    expect(got.mail.html).toContain('direction:rtl');
    expect(got.mail.html).toContain('<a href="https://service.bur.gov.om/" dir="ltr">');
    expect(got.mail.headers.get('content-language')).toBe('ar');
    expect(got.mail.headers.get('x-tawasul-notification')).toBe('outbox-1');
  });

  it('escapes HTML and renders English left-to-right', () => {
    const html = renderEmailHtml('a < b & "c"', 'en', 'Hi <b>');
    expect(html).toContain('dir="ltr"');
    expect(html).toContain('a &lt; b &amp; &quot;c&quot;');
    expect(html).toContain('<title>Hi &lt;b&gt;</title>');
  });

  it('reports a refused recipient as permanent, a refused password and an unreachable server as retryable', async () => {
    smtp.reject.add('gone@example.om');
    const s = sender();
    const refused = await s.send({ to: 'gone@example.om', subject: 's', text: 't', language: 'en' }).catch((e: unknown) => e);
    s.close();
    expect(refused).toBeInstanceOf(DeliveryError);
    expect((refused as DeliveryError).retryable).toBe(false);
    expect((refused as DeliveryError).message).not.toContain('gone@example.om');
    const locked = new SmtpEmailSender({
      host: '127.0.0.1',
      port: smtp.port,
      secure: false,
      requireTls: false,
      from: 'x@bur.gov.om',
      timeoutMs: 2000,
      user: 'tawasul',
      pass: 'wrong',
    });
    const denied = (await locked.send({ to: 'a@example.om', subject: 's', text: 't', language: 'en' }).catch((e: unknown) => e)) as DeliveryError;
    locked.close();
    // A refused password says nothing about the message: it waits while the channel pauses (bot/delivery/outbox-worker.ts).
    expect([denied.status, denied.retryable, denied.credential]).toEqual([535, true, true]);
    expect((refused as DeliveryError).credential).toBe(false);
    const down = new SmtpEmailSender({ host: '127.0.0.1', port: 1, secure: false, requireTls: false, from: 'x@bur.gov.om', timeoutMs: 2000 });
    const err = await down.send({ to: 'a@example.om', subject: 's', text: 't', language: 'en' }).catch((e: unknown) => e);
    down.close();
    expect((err as DeliveryError).retryable).toBe(true);
  });
});

describe('SMS over an HTTP gateway', () => {
  let gw: Awaited<ReturnType<typeof startGateway>>;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(async () => {
    await gw.close();
  });

  const settings = (over: Partial<typeof sla.notifications.sms>, env: NodeJS.ProcessEnv = {}) => resolveSmsSettings({ ...sla.notifications.sms, ...over }, env);

  it('normalizes Omani numbers to E.164', () => {
    expect(toE164('92345678')).toBe('+96892345678');
    expect(toE164('+968 9234 5678')).toBe('+96892345678');
    expect(toE164('0096892345678')).toBe('+96892345678');
    expect(toE164('+971501234567')).toBe('+971501234567');
  });

  it('posts JSON to a generic gateway with the configured field names and a bearer token', async () => {
    const s = settings(
      { kind: 'generic-json', url: `${gw.url}/send`, fields: { to: 'msisdn', text: 'message', sender: 'from' }, extra: { route: 'gov' } },
      { TAWASUL_SMS_TOKEN: 'secret-token' },
    );
    const res = await new HttpSmsSender(s!).send({ to: '92345678', text: 'تم استلام طلبك' });
    const req = gw.requests.at(-1)!;
    expect([req.method, req.url, req.headers['content-type'], req.headers.authorization]).toEqual(['POST', '/send', 'application/json', 'Bearer secret-token']);
    expect(JSON.parse(req.body)).toEqual({ route: 'gov', msisdn: '+96892345678', message: 'تم استلام طلبك', from: 'BURAIMI' });
    expect(res.providerId).toBe(`SM${gw.requests.length}`);
  });

  it('posts a form to a generic form gateway', async () => {
    const s = settings({ kind: 'generic-form', url: `${gw.url}/form` });
    await new HttpSmsSender(s!).send({ to: '+96892345678', text: 'hello' });
    const req = gw.requests.at(-1)!;
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(req.body))).toEqual({ to: '+96892345678', text: 'hello', sender: 'BURAIMI' });
  });

  it("speaks Twilio's Messages API: account path, form fields, basic auth", async () => {
    expect(settings({ kind: 'twilio', url: '' })).toBeUndefined(); // no credentials
    const s = settings(
      { kind: 'twilio', url: gw.url },
      { TAWASUL_TWILIO_ACCOUNT_SID: 'AC123', TAWASUL_TWILIO_AUTH_TOKEN: 'tok', TAWASUL_SMS_SENDER: '+15005550006' },
    );
    const res = await new HttpSmsSender(s!).send({ to: '92345678', text: 'نص' });
    const req = gw.requests.at(-1)!;
    expect(req.url).toBe('/2010-04-01/Accounts/AC123/Messages.json');
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from('AC123:tok').toString('base64')}`);
    expect(Object.fromEntries(new URLSearchParams(req.body))).toEqual({ To: '+96892345678', From: '+15005550006', Body: 'نص' });
    expect(res.providerId).toMatch(/^SM/);
  });

  it('classifies gateway failures: throttling and 5xx retryable, 4xx permanent, refused credentials retryable, unreachable retryable', async () => {
    const s = new HttpSmsSender(settings({ kind: 'generic-json', url: `${gw.url}/send` })!);
    gw.statuses.push(429, 503, 400, 401);
    const errs = [];
    for (let i = 0; i < 4; i++) errs.push((await s.send({ to: '92345678', text: 'x' }).catch((e: unknown) => e)) as DeliveryError);
    expect(errs.map((e) => [e.status, e.retryable, e.credential])).toEqual([
      [429, true, false],
      [503, true, false],
      [400, false, false],
      [401, true, true],
    ]);
    const down = new HttpSmsSender({ ...settings({ kind: 'generic-json', url: 'http://127.0.0.1:1/x' })!, timeoutMs: 2000 });
    expect(((await down.send({ to: '92345678', text: 'x' }).catch((e: unknown) => e)) as DeliveryError).retryable).toBe(true);
  });
});
