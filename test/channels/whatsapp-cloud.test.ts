import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../bot/config/load.js';
import { ChannelApiError, ConfigError } from '../../bot/core/errors.js';
import { channelRegistry } from '../../channels/registry.js';
import { graphError } from '../../channels/whatsapp-cloud/client.js';
import { sign, validSignature } from '../../channels/whatsapp-cloud/inbound.js';
import { createWhatsAppCloud, renderReply, whatsappCloudOptions } from '../../channels/whatsapp-cloud/index.js';
import { ManualClock, tempDir } from '../helpers/tmp.js';
import { adapterContract } from './adapter-contract.js';
import { channelContext } from './helpers/channel-context.js';
import { textMessage, WA_ENV, WhatsAppCloudHarness, webhookBody } from './helpers/whatsapp-cloud-harness.js';

adapterContract('whatsapp-cloud', () => new WhatsAppCloudHarness().start());

const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 0xff, 0xd9]);

describe('whatsapp-cloud adapter', () => {
  let h: WhatsAppCloudHarness;
  beforeEach(async () => {
    h = await new WhatsAppCloudHarness(
      { maxMediaBytes: 1000 },
      {
        media: {
          '1001': { bytes: JPEG, mimeType: 'image/jpeg' },
          '1002': { bytes: Buffer.from('%PDF-1.4 test'), mimeType: 'application/pdf' },
          '1003': { bytes: Buffer.alloc(2000, 1), mimeType: 'image/png' },
          '1004': { bytes: Buffer.alloc(2000, 1), mimeType: 'image/png', declaredSize: 10 },
        },
      },
    ).start();
  });
  afterEach(async () => {
    await h.close();
  });

  it('answers the webhook verification challenge only with the right token', async () => {
    const url = (token: string, challenge = '1158201444') =>
      `${h.base}/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=${challenge}`;
    const ok = await fetch(url(WA_ENV.WHATSAPP_VERIFY_TOKEN));
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('1158201444');
    expect((await fetch(url('wrong'))).status).toBe(403);
    expect((await fetch(`${h.base}/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=${WA_ENV.WHATSAPP_VERIFY_TOKEN}`)).status).toBe(400);
    expect((await fetch(url(WA_ENV.WHATSAPP_VERIFY_TOKEN, '<script>'))).status).toBe(400);
  });

  it('checks X-Hub-Signature-256 on the raw body: missing → 401, forged → 403, nothing processed', async () => {
    const body = webhookBody([textMessage('wamid.sig1', h.waId('a'), 'complaint')]);
    const raw = JSON.stringify(body);
    expect((await h.post(raw, null)).status).toBe(401);
    expect((await h.post(raw, sign(raw, 'not-the-secret'))).status).toBe(403);
    expect((await h.post(raw, 'sha256=zz')).status).toBe(401); // malformed: refused before the body is read
    // Same JSON, different bytes (re-serialized with spaces): the signature no longer matches.
    expect((await h.post(JSON.stringify(body, null, 1), sign(raw, WA_ENV.WHATSAPP_APP_SECRET))).status).toBe(403);
    await h.drain();
    expect(h.received).toHaveLength(0);
    expect(h.graph.sent).toHaveLength(0);
    expect((await h.post(raw)).status).toBe(200);
    expect(validSignature(Buffer.from(raw), sign(raw, 's'), 's')).toBe(true);
    expect(validSignature(Buffer.from(raw), undefined, 's')).toBe(false);
  });

  it('parses a location pin, interactive replies and the sender profile', async () => {
    const from = h.waId('pin');
    await h.post(
      webhookBody(
        [
          {
            from,
            id: 'wamid.loc1',
            timestamp: '1766383200',
            type: 'location',
            location: { latitude: 24.2508, longitude: 55.7931, name: 'حفرة قرب الدوار', address: 'Al Buraimi' },
          },
          {
            from,
            id: 'wamid.btn1',
            timestamp: '1766383201',
            type: 'interactive',
            interactive: { type: 'button_reply', button_reply: { id: 'qr-0', title: 'نعم' } },
          },
        ],
        { names: { [from]: 'Aisha' } },
      ),
    );
    await h.drain();
    const [loc, btn] = h.received;
    expect(loc).toMatchObject({ channel: 'whatsapp', conversationId: from, id: 'wamid.loc1', text: '', from: { id: from, phone: `+${from}`, name: 'Aisha' } });
    expect(loc!.location).toEqual({ latitude: 24.2508, longitude: 55.7931, label: 'حفرة قرب الدوار' });
    expect(btn!.text).toBe('نعم');
    expect(h.logs.join('\n')).not.toContain(from);
    expect(h.logs.join('\n')).not.toContain('Aisha');
  });

  it('downloads images and documents with the bearer token into dataDir/attachments', async () => {
    const from = h.waId('media');
    await h.post(
      webhookBody([
        { from, id: 'wamid.img1', timestamp: '1766383200', type: 'image', image: { caption: 'الحفرة', mime_type: 'image/jpeg', sha256: 'x', id: '1001' } },
        {
          from,
          id: 'wamid.doc1',
          timestamp: '1766383201',
          type: 'document',
          document: { filename: 'report.pdf', mime_type: 'application/pdf', sha256: 'x', id: '1002' },
        },
      ]),
    );
    await h.drain();
    const img = h.received.find((m) => m.id === 'wamid.img1')!;
    expect(img.text).toBe('الحفرة');
    expect(img.attachments).toEqual([{ kind: 'image', mimeType: 'image/jpeg', ref: join('attachments', 'whatsapp', '1001.jpg'), sizeBytes: JPEG.length }]);
    expect(readFileSync(join(h.tmp.dir, img.attachments![0]!.ref))).toEqual(JPEG);
    const doc = h.received.find((m) => m.id === 'wamid.doc1')!;
    expect(doc.attachments![0]).toMatchObject({ kind: 'document', fileName: 'report.pdf', ref: join('attachments', 'whatsapp', '1002.pdf') });
    expect(h.graph.mediaRequests.sort()).toEqual(['1001', '1002']);
  });

  it('refuses oversized media (declared or streamed) with a polite text-only notice', async () => {
    const from = h.waId('big');
    await h.post(webhookBody([{ from, id: 'wamid.big1', timestamp: '1766383200', type: 'image', image: { mime_type: 'image/png', sha256: 'x', id: '1003' } }]));
    await h.post(
      webhookBody([
        { from: h.waId('big2'), id: 'wamid.big2', timestamp: '1766383200', type: 'image', image: { mime_type: 'image/png', sha256: 'x', id: '1004' } },
      ]),
    );
    await h.drain();
    h.clock.advance(6000);
    await h.drain();
    expect(h.received).toHaveLength(0);
    expect(h.graph.sent).toHaveLength(2);
    expect(h.sent()[0]!.text).toContain('I can handle text, locations, images and documents only');
    expect(existsSync(join(h.tmp.dir, 'attachments', 'whatsapp', '1003.png'))).toBe(false);
    expect(existsSync(join(h.tmp.dir, 'attachments', 'whatsapp', '1004.png.part'))).toBe(false);
  });

  it('answers stickers, reactions and unsupported types once with a notice; ignores statuses and other numbers', async () => {
    const from = h.waId('sticker');
    const reaction = { from, id: 'wamid.re1', timestamp: '1766383200', type: 'reaction', reaction: { message_id: 'wamid.x', emoji: '👍' } };
    await h.post(webhookBody([reaction]));
    await h.post(webhookBody([reaction]));
    await h.post(
      webhookBody([
        { from: h.waId('u2'), id: 'wamid.un1', timestamp: '1766383200', type: 'unsupported', errors: [{ code: 131051, title: 'Message type unknown' }] },
      ]),
    );
    const status = await h.post(webhookBody([], { statuses: [{ id: 'wamid.out1', status: 'delivered', timestamp: '1766383200', recipient_id: from }] }));
    expect(status.status).toBe(200);
    expect((await h.post(webhookBody([textMessage('wamid.other1', from, 'hi')], { phoneNumberId: '999' }))).status).toBe(200);
    expect((await h.post({ object: 'page', entry: [] })).status).toBe(400);
    await h.drain();
    expect(h.received).toHaveLength(0);
    expect(h.graph.sent.map((s) => s.to).sort()).toEqual([from, h.waId('u2')].sort());
  });

  it('sends the approved template outside the 24-hour window, and after a 131047 error', async () => {
    const from = h.waId('late');
    await h.deliverText('w1', 'complaint', 'late');
    await h.drain();
    expect(h.graph.sent[0]!.body.type).toBe('text');
    h.clock.advance(25 * 3_600_000);
    await h.adapter.send(from, [{ text: 'an agent answers\nsecond line', language: 'ar', kind: 'agent' }]);
    await h.drain();
    expect(h.graph.sent[1]!.body).toMatchObject({
      type: 'template',
      to: from,
      template: {
        name: 'tawasul_reply',
        language: { code: 'ar' },
        components: [{ type: 'body', parameters: [{ type: 'text', text: 'an agent answers second line' }] }],
      },
    });
    // Meta says the window is closed although our clock thinks it is open: the retry uses the template.
    h.graph.failNext(1, 'window-closed');
    await h.deliverText('w2', 'complaint', 'late');
    await h.drain();
    h.clock.advance(6000);
    await h.drain();
    expect(h.graph.sent).toHaveLength(2);
    expect((await h.outbox.list('whatsapp', 'pending'))[0]!.lastError).toContain('131047');
    h.clock.advance(7000);
    await h.drain();
    expect(h.graph.sent[2]!.body.type).toBe('template');
  });

  it('pauses the channel on 130429 and retries; permanent errors are recorded', async () => {
    h.graph.failNext(1, 'throttle');
    await h.deliverText('t1', 'complaint', 't1');
    await h.deliverText('t2', 'complaint', 't2');
    await h.drain();
    expect(h.graph.sent).toHaveLength(0);
    h.clock.advance(2000);
    await h.drain();
    expect(h.graph.sent).toHaveLength(2);
    h.graph.failNext(1, 'token');
    await h.deliverText('t3', 'complaint', 't3');
    await h.drain();
    const [item] = await h.outbox.list('whatsapp', 'pending');
    expect(item!.lastError).toContain('code=190');
    expect(item!.nextAttemptAt.getTime() - h.clock.now().getTime()).toBe(300_000);
  });
});

describe('whatsapp-cloud units', () => {
  it('maps Graph error codes to retryable or permanent errors', () => {
    const body = (code: number) => ({ error: { message: `(#${code})`, type: 'OAuthException', code, fbtrace_id: 'x' } });
    const cases: Array<[number, number, boolean, number | undefined]> = [
      [400, 130429, true, 2],
      [400, 131056, true, 6],
      [400, 131047, true, 0],
      [401, 190, true, 300],
      [400, 100, false, undefined],
      [400, 131026, false, undefined],
      [400, 132001, false, undefined],
      [500, 131000, true, 30],
    ];
    for (const [status, code, retryable, wait] of cases) {
      const e = graphError('whatsapp', status, body(code));
      expect(e).toBeInstanceOf(ChannelApiError);
      expect([e.code, e.retryable, e.retryAfterSeconds]).toEqual([code, retryable, wait]);
    }
    expect(graphError('whatsapp', 503, undefined).retryable).toBe(true);
    // An expired or invalid token: the channel pauses and the replies wait (bot/delivery/outbox-worker.ts).
    expect([graphError('whatsapp', 401, body(190)).credential, graphError('whatsapp', 400, body(100)).credential]).toEqual([true, false]);
    expect(graphError('whatsapp', 429, 'garbage').retryAfterSeconds).toBe(60);
  });

  it('renders up to three short quick replies as reply buttons', () => {
    expect(renderReply({ text: 'x', language: 'ar', kind: 'answer', quickReplies: ['1', '2'] })).toMatchObject({
      type: 'interactive',
      interactive: { action: { buttons: [{ reply: { title: '1' } }, { reply: { title: '2' } }] } },
    });
    expect(renderReply({ text: 'x', language: 'ar', kind: 'answer', quickReplies: ['a', 'b', 'c', 'd'] }).type).toBe('text');
    expect(renderReply({ text: 'y'.repeat(5000), language: 'en', kind: 'answer' })).toMatchObject({ type: 'text' });
  });

  it('is registered, its config options validate, and missing credentials are named', () => {
    expect(channelRegistry['whatsapp-cloud']).toBeDefined();
    const cfg = loadConfig().channels.find((c) => c.id === 'whatsapp')!;
    expect(cfg.type).toBe('whatsapp-cloud');
    const options = whatsappCloudOptions.parse(cfg.options);
    const tmp = tempDir();
    const t = channelContext({ channelId: 'whatsapp', dataDir: tmp.dir, clock: new ManualClock(new Date()), env: { ...WA_ENV, WHATSAPP_APP_SECRET: '' } });
    try {
      expect(() => createWhatsAppCloud(t.ctx, options)).toThrow(ConfigError);
      expect(() => createWhatsAppCloud(t.ctx, options)).toThrow(/WHATSAPP_APP_SECRET/);
    } finally {
      void t.close();
      tmp.cleanup();
    }
  });
});
