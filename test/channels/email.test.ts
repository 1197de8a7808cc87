import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { adapterContract } from './adapter-contract.js';
import { type Dovecot, hasDovecot, startDovecot } from './helpers/dovecot.js';
import { EmailRig, emailHarness, sendToRelay } from './helpers/email-rig.js';
import { rawMail } from './helpers/mail-fixtures.js';

const APPROVED_FIRST_LINE = 'مرحباً بك أخي الكريم';

adapterContract('email (SMTP relay inbound, SMTP replies)', () => emailHarness('relay'));

describe('email over the SMTP relay', () => {
  let rig: EmailRig;
  afterEach(async () => {
    await rig?.close();
  });

  it('refuses oversized mail with 552 and unknown recipients with 550; requires AUTH when configured', async () => {
    rig = await EmailRig.start({
      options: { relay: { enabled: true, port: 0, maxMessageBytes: 65_536 } },
      env: { TAWASUL_SMTP_RELAY_USER: 'mta', TAWASUL_SMTP_RELAY_PASSWORD: 'relay-secret' },
    });
    const port = rig.adapter.relayPort;
    const auth = { user: 'mta', pass: 'relay-secret' };
    const big = rawMail({ text: 'x'.repeat(100_000) });
    await expect(sendToRelay(port, big, { auth })).rejects.toMatchObject({ responseCode: 552 });
    await expect(sendToRelay(port, rawMail(), { auth, to: 'someone@elsewhere.example' })).rejects.toMatchObject({ responseCode: 550 });
    await expect(sendToRelay(port, rawMail(), { auth: { user: 'mta', pass: 'wrong' } })).rejects.toMatchObject({ responseCode: 535 });
    await expect(sendToRelay(port, rawMail())).rejects.toMatchObject({ responseCode: 530 });
    expect(await sendToRelay(port, rawMail({ messageId: 'ok-1@example.om' }), { auth })).toMatch(/^250 /);
    await rig.drain();
    expect(rig.sink.mails).toHaveLength(1);
  });
});

const CI = Boolean(process.env.CI);
if (!hasDovecot && !CI) console.warn('dovecot is not installed (apt-get install dovecot-imapd): the IMAP tests are skipped');

describe.skipIf(!hasDovecot && !CI)('email over real IMAP (dovecot) and SMTP on loopback', () => {
  let dovecot: Dovecot;
  let admin: ImapFlow;
  let boxes = 0;
  beforeAll(async () => {
    dovecot = await startDovecot();
    admin = new ImapFlow({ host: '127.0.0.1', port: dovecot.port, secure: false, auth: { user: dovecot.user, pass: dovecot.pass }, logger: false });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.logout().catch(() => undefined);
    await dovecot?.stop();
  });
  const mailbox = (): string => `Box${++boxes}`;

  adapterContract('email (IMAP inbound, SMTP replies)', () => emailHarness('imap', { url: dovecot.url, admin, mailbox: mailbox() }));

  describe('adapter', () => {
    let rig: EmailRig;
    afterEach(async () => {
      await rig?.close();
    });
    const start = async (box: string, options: Record<string, unknown> = {}, manual = true): Promise<EmailRig> => {
      await admin.mailboxCreate(box);
      rig = await EmailRig.start({
        imapUrl: dovecot.url,
        manual,
        options: { imap: { enabled: true, mailbox: box, syncSeconds: 3600, idleDelayMs: 50 }, ...options },
      });
      return rig;
    };
    const seen = async (box: string): Promise<number[]> => {
      const lock = await admin.getMailboxLock(box);
      try {
        return ((await admin.search({ seen: true }, { uid: true })) || []).sort((a, b) => a - b);
      } finally {
        lock.release();
      }
    };

    it('answers new mail announced by IDLE, in its thread: Re: subject, In-Reply-To, References, Auto-Submitted, RTL HTML', async () => {
      const box = mailbox();
      await start(box, { workerPollMs: 50 }, false);
      await admin.append(
        box,
        rawMail({ messageId: 'first@example.om', references: ['root@example.om'], subject: 'استفسار عن خدمة', text: 'عندي شكوى على تأخر الرد' }),
      );
      await rig.sink.changes.until(() => rig.sink.mails.length > 0, 'the reply to the mail IDLE announced');
      const [out] = rig.sink.mails;
      expect(out!.rcpt).toEqual(['salim@example.om']);
      expect(out!.parsed.from?.value[0]?.address).toBe('helpdesk@bur.gov.om');
      expect(out!.parsed.subject).toBe('Re: استفسار عن خدمة');
      expect(out!.parsed.inReplyTo).toBe('<first@example.om>');
      expect(out!.parsed.references).toEqual(['<root@example.om>', '<first@example.om>']);
      expect(out!.parsed.headers.get('auto-submitted')).toBe('auto-replied');
      expect(out!.parsed.text).toContain(APPROVED_FIRST_LINE);
      expect(out!.parsed.html).toContain('<html lang="ar" dir="rtl">');
      expect(out!.parsed.html).toContain(`<p dir="rtl" lang="ar" style="text-align:right;margin:0 0 1em 0">${APPROVED_FIRST_LINE}`);
      expect(out!.parsed.html).toContain('<a href="https://tajawob.om" dir="ltr">https://tajawob.om</a>');
      const [msg] = rig.tctx.received;
      // A new conversation is keyed by its sender and thread root (opaque, no address in the key).
      const conversationId = `m-${createHash('sha256').update('salim@example.om|root@example.om').digest('hex').slice(0, 32)}`;
      expect(msg).toMatchObject({ id: 'first@example.om', conversationId, from: { email: 'salim@example.om', name: 'Salim' } });
      expect(await seen(box)).toEqual([1]);
      expect((await rig.adapter.cursors.cursor(box))?.lastUid).toBe(1);
      expect(rig.logs.join('\n')).not.toContain('salim@example.om');
    });

    it('decodes windows-1256, UTF-8, quoted-printable, base64 and HTML-only mail, and keeps attachments', async () => {
      const box = mailbox();
      await start(box);
      const text = 'أرجو ردم الحفرة أمام منزلي في حي الخضراء، رقم 45';
      await admin.append(
        box,
        rawMail({ messageId: 'cp1256-qp@example.om', charset: 'windows-1256', encoding: 'quoted-printable', subject: 'طلب ردم حفرة', text }),
      );
      await admin.append(box, rawMail({ messageId: 'utf8-b64@example.om', charset: 'utf-8', encoding: 'base64', subject: 'طلب ردم حفرة', text }));
      await admin.append(box, rawMail({ messageId: 'cp1256-b64@example.om', charset: 'windows-1256', encoding: 'base64', subject: 'Re: طلب', text }));
      await admin.append(
        box,
        rawMail({
          messageId: 'utf8-8bit@example.om',
          charset: 'utf-8',
          encoding: '8bit',
          subject: 'Re: طلب',
          text,
          html: `<div dir="rtl"><b>${text}</b></div>`,
        }),
      );
      const pdf = Buffer.from('%PDF-1.4\n% test\n');
      await admin.append(
        box,
        rawMail({
          messageId: 'attach@example.om',
          subject: 'Re: صورة',
          text: 'مرفق المستند',
          attachment: { filename: 'report.pdf', contentType: 'application/pdf', content: pdf },
        }),
      );
      await rig.drain();
      const got = rig.tctx.received;
      expect(got.map((m) => m.text)).toEqual([`طلب ردم حفرة\n\n${text}`, `طلب ردم حفرة\n\n${text}`, text, text, 'مرفق المستند']);
      const [att] = got[4]!.attachments!;
      expect(att).toMatchObject({ kind: 'document', mimeType: 'application/pdf', fileName: 'report.pdf', sizeBytes: pdf.length });
      expect(existsSync(join(rig.tmp.dir, att!.ref))).toBe(true);
      expect(rig.sink.mails).toHaveLength(5);
    });

    it('never answers auto-replies, bounces, bulk or list mail, no-reply senders or itself (RFC 3834), and marks them processed', async () => {
      const box = mailbox();
      await start(box);
      const skipped: Array<Parameters<typeof rawMail>[0]> = [
        { headers: { 'Auto-Submitted': 'auto-replied' } },
        { headers: { 'Auto-Submitted': 'auto-generated' } },
        { headers: { Precedence: 'bulk' } },
        { headers: { Precedence: 'list' } },
        { headers: { 'List-Id': '<news.example.om>' } },
        { headers: { 'List-Unsubscribe': '<mailto:unsubscribe@example.om>' } },
        { headers: { 'X-Auto-Response-Suppress': 'All' } },
        { from: 'Mail Delivery System <MAILER-DAEMON@example.om>' },
        { from: 'postmaster@example.om' },
        { from: 'no-reply@example.om' },
        { from: 'Helpdesk <helpdesk@bur.gov.om>' },
        { headers: { 'Return-Path': '<>' } },
      ];
      for (const [i, o] of skipped.entries()) await admin.append(box, rawMail({ messageId: `auto-${i}@example.om`, ...o }));
      await admin.append(box, rawMail({ messageId: 'human@example.om', headers: { 'Auto-Submitted': 'no' } }));
      await rig.drain();
      expect(rig.tctx.received.map((m) => m.id)).toEqual(['human@example.om']);
      expect(rig.sink.mails).toHaveLength(1);
      expect(await seen(box)).toHaveLength(skipped.length + 1);
      expect((await rig.adapter.cursors.cursor(box))?.lastUid).toBe(skipped.length + 1);
      expect(rig.logs.filter((l) => l.includes('RFC 3834'))).toHaveLength(skipped.length);
      expect(rig.logs.join('\n')).not.toMatch(/example\.om/);
    });

    it('tracks UIDVALIDITY: a recreated mailbox is re-read without answering any mail twice', async () => {
      const box = mailbox();
      await start(box);
      const a = rawMail({ messageId: 'uv-a@example.om', text: 'شكوى أ' });
      const b = rawMail({ messageId: 'uv-b@example.om', text: 'شكوى ب' });
      await admin.append(box, a);
      await admin.append(box, b);
      await rig.drain();
      expect(rig.sink.mails).toHaveLength(2);
      const before = (await rig.adapter.cursors.cursor(box))!;
      await rig.adapter.stop!();
      await admin.mailboxDelete(box);
      await admin.mailboxCreate(box);
      await admin.append(box, a);
      await admin.append(box, b);
      await admin.append(box, rawMail({ messageId: 'uv-c@example.om', text: 'شكوى ج' }));
      await rig.restart();
      await rig.drain();
      const after = (await rig.adapter.cursors.cursor(box))!;
      expect(after.uidValidity).not.toBe(before.uidValidity);
      expect(after.lastUid).toBe(3);
      expect(rig.sink.mails).toHaveLength(3);
      expect(rig.sink.mails[2]!.parsed.inReplyTo).toBe('<uv-c@example.om>');
      expect(rig.logs.some((l) => l.includes('UIDVALIDITY changed'))).toBe(true);
    });

    it('strips quoted history; a reply to our answer joins the conversation; agent messages go to the thread', async () => {
      const box = mailbox();
      await start(box);
      await admin.append(box, rawMail({ messageId: 'q1@example.om', subject: 'شكوى', text: 'الإنارة معطلة في شارعنا' }));
      await rig.drain();
      const ours = rig.sink.mails[0]!.parsed.messageId!.replace(/[<>]/g, '');
      const quoted = [
        'ما زالت الإنارة معطلة',
        '',
        'في الأحد، ٢٢ نوفمبر ٢٠٢٦ في ٩:٠٠ ص، محافظة البريمي <helpdesk@bur.gov.om> كتب:',
        '> مرحباً بك أخي الكريم',
        '> شكراً لتواصلكم',
      ].join('\n');
      await admin.append(box, rawMail({ messageId: 'q2@example.om', inReplyTo: ours, subject: 'RE: شكوى', text: quoted }));
      await admin.append(
        box,
        rawMail({
          messageId: 'q3@example.om',
          subject: 'Re: شكوى',
          text: 'Still broken.\n\nOn Sun, Nov 22, 2026 at 9:00 AM Helpdesk <helpdesk@bur.gov.om>\nwrote:\n> old text',
        }),
      );
      // Thread headers are the sender's to write: another sender citing our Message-ID gets a chat of their own.
      await admin.append(
        box,
        rawMail({
          messageId: 'q4@example.org',
          from: 'Other <other@example.org>',
          inReplyTo: ours,
          references: [ours],
          subject: 'Re: شكوى',
          text: 'أريد أن أرى المحادثة',
        }),
      );
      await rig.drain();
      const [first, second, third, intruder] = rig.tctx.received;
      expect(intruder!.conversationId).not.toBe(first!.conversationId);
      expect(second!.text).toBe('ما زالت الإنارة معطلة');
      expect(second!.conversationId).toBe(first!.conversationId);
      expect(third!.text).toBe('Still broken.');
      await rig.adapter.send(first!.conversationId, [{ text: 'سيتواصل معك الموظف المختص', language: 'ar', kind: 'agent' }]);
      await rig.drain();
      const agent = rig.sink.mails.at(-1)!;
      expect(agent.parsed.text?.trim()).toBe('سيتواصل معك الموظف المختص');
      expect(agent.parsed.inReplyTo).toBe('<q2@example.om>');
      expect(third!.conversationId).not.toBe(first!.conversationId); // no In-Reply-To / References: a new thread
      expect(third!.conversationId).toMatch(/^m-[0-9a-f]{32}$/); // opaque: no address in conversation keys
    });

    it('reads oversized mail as text only, and reconnects after the IMAP connection drops', async () => {
      const box = mailbox();
      await start(box, { imap: { enabled: true, mailbox: box, syncSeconds: 3600, idleDelayMs: 50, maxMessageBytes: 65_536 }, workerPollMs: 50 }, false);
      const big = Buffer.alloc(300_000, 7);
      await admin.append(
        box,
        rawMail({
          messageId: 'big@example.om',
          subject: 'Re: صور',
          text: 'صور الحفرة مرفقة',
          attachment: { filename: 'p.jpg', contentType: 'image/jpeg', content: big },
        }),
      );
      await rig.sink.changes.until(() => rig.sink.mails.length === 1, 'the reply to the oversized mail');
      expect(rig.tctx.received[0]).toMatchObject({ text: 'صور الحفرة مرفقة' });
      expect(rig.tctx.received[0]!.attachments).toBeUndefined();
      (rig.adapter.imap as unknown as { client: ImapFlow }).client.close();
      await admin.append(box, rawMail({ messageId: 'after-drop@example.om', text: 'رسالة بعد الانقطاع' }));
      await rig.sink.changes.until(() => rig.sink.mails.length === 2, 'the reply after the IMAP reconnection');
      expect(rig.sink.mails).toHaveLength(2);
      expect(rig.logs.filter((l) => l.includes('IMAP mailbox opened'))).toHaveLength(2);
    });
  });
});
