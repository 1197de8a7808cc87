import { describe, expect, it } from 'vitest';
import { ChannelApiError, NetworkError } from '../../bot/core/errors.js';
import { parseMail, stripQuoted } from '../../channels/email/parse.js';
import { renderHtml, replySubject, smtpError } from '../../channels/email/transport.js';
import { rawMail } from './helpers/mail-fixtures.js';

const OWN = new Set(['helpdesk@bur.gov.om']);

describe('e-mail parsing', () => {
  it('cuts Outlook header blocks, Arabic and English openers, signatures, and > lines', () => {
    expect(stripQuoted('نص جديد\n\nمن: محافظة البريمي\nأرسل: الأحد\nإلى: سالم\nالموضوع: رد\n\nنص قديم')).toBe('نص جديد');
    expect(stripQuoted('New text\r\n\r\nFrom: Helpdesk <helpdesk@bur.gov.om>\r\nSent: Sunday\r\nold')).toBe('New text');
    expect(stripQuoted('شكراً\n-- \nسالم الكعبي\nهاتف 9xxxxxxx')).toBe('شكراً');
    expect(stripQuoted('أ\n> ب\nج\n-----Original Message-----\nد')).toBe('أ\nج');
    expect(stripQuoted('نص\n\nفي 22/11/2026 9:00 ص، كتب "Helpdesk" <helpdesk@bur.gov.om>:\n> قديم')).toBe('نص');
  });

  it('takes Reply-To over From, keeps References in order, and hashes a message without Message-ID', async () => {
    const mail = await parseMail(rawMail({ messageId: null, references: ['a@x', 'b@x'], headers: { 'Reply-To': 'Other <Other@Example.om>' } }), OWN);
    expect(mail.replyTo).toBe('other@example.om');
    expect(mail.references).toEqual(['a@x', 'b@x']);
    expect(mail.messageId).toMatch(/^sha256:[0-9a-f]{64}$/);
    const again = await parseMail(rawMail({ messageId: null, references: ['a@x', 'b@x'], headers: { 'Reply-To': 'Other <Other@Example.om>' } }), OWN);
    expect(again.messageId).toBe(mail.messageId);
  });

  it('recognizes delivery reports and X-Autoreply as automated', async () => {
    const report = Buffer.from(
      'From: MAILER <bounce@example.om>\r\nTo: helpdesk@bur.gov.om\r\nSubject: Undelivered\r\nMessage-ID: <r@x>\r\nContent-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nfailed\r\n--b--\r\n',
    );
    expect((await parseMail(report, OWN)).automated).toBe('delivery-report');
    expect((await parseMail(rawMail({ headers: { 'X-Autoreply': 'yes' } }), OWN)).automated).toBe('auto-reply');
    expect((await parseMail(rawMail(), OWN)).automated).toBeUndefined();
  });
});

describe('e-mail replies', () => {
  it('renders escaped, linked HTML with per-paragraph direction', () => {
    const html = renderHtml({ text: 'مرحباً <b>\nhttps://tajawob.om\n\nThank you & welcome.', language: 'ar', kind: 'tajawob' });
    expect(html).toContain('<html lang="ar" dir="rtl">');
    expect(html).toContain('مرحباً &lt;b&gt;<br>\n<a href="https://tajawob.om" dir="ltr">https://tajawob.om</a>');
    expect(html).toContain('<p dir="ltr" lang="en" style="text-align:left;margin:0 0 1em 0">Thank you &amp; welcome.</p>');
  });

  it('keeps reply subjects and prefixes new ones', () => {
    expect(replySubject('استفسار', 'x')).toBe('Re: استفسار');
    expect(replySubject('RE: استفسار', 'x')).toBe('RE: استفسار');
    expect(replySubject('رد: استفسار', 'x')).toBe('رد: استفسار');
    expect(replySubject('', 'محافظة البريمي')).toBe('Re: محافظة البريمي');
  });

  it('maps SMTP failures: 4xx and network retryable, 5xx permanent, 535 retryable', () => {
    const e451 = smtpError(Object.assign(new Error('451 4.7.1 slow down'), { responseCode: 451, code: 'EENVELOPE' }), 'email');
    expect(e451).toBeInstanceOf(ChannelApiError);
    expect((e451 as ChannelApiError).retryable).toBe(true);
    const e550 = smtpError(Object.assign(new Error('550 5.1.1 unknown'), { responseCode: 550, code: 'EENVELOPE' }), 'email') as ChannelApiError;
    expect(e550.retryable).toBe(false);
    expect((smtpError(Object.assign(new Error('535 auth'), { responseCode: 535, code: 'EAUTH' }), 'email') as ChannelApiError).retryable).toBe(true);
    expect(smtpError(Object.assign(new Error('Connection closed'), { code: 'ECONNECTION' }), 'email')).toBeInstanceOf(NetworkError);
  });
});
