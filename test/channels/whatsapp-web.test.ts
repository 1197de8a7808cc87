import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../bot/config/load.js';
import { ChannelApiError, NetworkError } from '../../bot/core/errors.js';
import { channelRegistry } from '../../channels/registry.js';
import { realClient } from '../../channels/whatsapp-web/client.js';
import { sendError, whatsappWebOptions } from '../../channels/whatsapp-web/index.js';
import { adapterContract } from './adapter-contract.js';
import { chatMessage, WhatsAppWebHarness } from './helpers/whatsapp-web-harness.js';

adapterContract('whatsapp-web', () => new WhatsAppWebHarness().start());

describe('whatsapp-web adapter', () => {
  let h: WhatsAppWebHarness;
  beforeEach(async () => {
    h = await new WhatsAppWebHarness({ maxMediaBytes: 100 }).start();
  });
  afterEach(async () => {
    await h.close();
  });

  it('uses LocalAuth under the data directory and chromium from CHROMIUM_PATH', () => {
    expect(h.wa.client.options).toEqual({ dataPath: join(h.tmp.dir, 'wwebjs'), clientId: 'tawasul', executablePath: '/opt/test/chromium' });
    expect(h.adapter.state).toBe('ready');
  });

  it('listens to `message` only and never answers itself, status broadcasts or groups', async () => {
    const c = h.wa.client;
    expect(c.listenerCount('message')).toBe(1);
    expect(c.listenerCount('message_create')).toBe(0);
    const me = h.chatId('me');
    c.receive(chatMessage('own', me, 'our own reply', { fromMe: true, id: { _serialized: `true_${me}_own`, fromMe: true } }));
    c.receive(chatMessage('st', 'status@broadcast', 'a status', { isStatus: true }));
    c.receive(chatMessage('grp', '120363025555555555@g.us', 'complaint in a group'));
    c.receive(chatMessage('e2e', h.chatId('x'), '', { type: 'e2e_notification' }));
    await h.drain();
    expect(h.received).toHaveLength(0);
    expect(h.wa.sent).toHaveLength(0);
    await h.deliverText('hello-1', 'complaint about the road', 'resident');
    await h.drain();
    expect(h.received).toHaveLength(1);
    expect(h.received[0]).toMatchObject({
      channel: 'whatsapp-web',
      conversationId: h.chatId('resident'),
      from: { phone: `+${h.chatId('resident').slice(0, -5)}` },
    });
    expect(h.wa.sent[0]!.chatId).toBe(h.chatId('resident'));
  });

  it('passes location pins and saves images; oversized media and stickers get the text-only notice', async () => {
    const c = h.wa.client;
    const from = h.chatId('pin');
    c.receive(
      chatMessage('loc', from, '', { type: 'location', location: { latitude: '24.2508', longitude: '55.7931', description: 'دوار البريمي\nAl Buraimi' } }),
    );
    const png = Buffer.from('89504e470d0a1a0a', 'hex');
    c.receive(
      chatMessage('img', h.chatId('img'), 'صورة الحفرة', {
        type: 'image',
        hasMedia: true,
        downloadMedia: async () => ({ mimetype: 'image/png', data: png.toString('base64'), filename: null }),
      }),
    );
    c.receive(
      chatMessage('big', h.chatId('big'), '', {
        type: 'document',
        hasMedia: true,
        downloadMedia: async () => ({ mimetype: 'application/pdf', data: Buffer.alloc(500).toString('base64') }),
      }),
    );
    c.receive(chatMessage('poll', h.chatId('poll'), '', { type: 'poll_creation' }));
    await h.drain();
    const loc = h.received.find((m) => m.id.endsWith('_loc'))!;
    expect(loc.location).toEqual({ latitude: 24.2508, longitude: 55.7931, label: 'دوار البريمي' });
    const img = h.received.find((m) => m.id.endsWith('_img'))!;
    expect(img.text).toBe('صورة الحفرة');
    expect(img.attachments![0]).toMatchObject({ kind: 'image', mimeType: 'image/png', sizeBytes: png.length });
    expect(readFileSync(join(h.tmp.dir, img.attachments![0]!.ref))).toEqual(png);
    expect(h.received.some((m) => m.id.endsWith('_big') || m.id.endsWith('_poll'))).toBe(false);
    const notices = h.wa.sent.filter((s) => s.text.includes('I can handle text, locations, images and documents only'));
    expect(notices.map((s) => s.chatId).sort()).toEqual([h.chatId('big'), h.chatId('poll')].sort());
  });

  it('shows the QR code in the terminal and logs it without personal data', async () => {
    const g = new WhatsAppWebHarness();
    g.wa.linked = false;
    await g.start();
    try {
      expect(g.adapter.state).toBe('qr');
      expect(g.terminal.join('\n').length).toBeGreaterThan(100);
      const line = g.logs.find((l) => l.includes('scan the QR code'));
      expect(line).toBeDefined();
      expect(line).not.toContain('AbCdEfGh');
      // Nothing is sent before the phone is linked.
      await g.adapter.send(g.chatId('x'), [{ text: 'queued', language: 'en', kind: 'agent' }]);
      await g.drain();
      expect(g.wa.sent).toHaveLength(0);
      g.wa.client.emit('ready');
      await g.wa.changes.until(() => g.wa.sent.length === 1, 'the queued message once linked');
    } finally {
      await g.close();
    }
  });

  it('replaces a client whose send gets no answer, and sends the reply through the new one', async () => {
    const g = await new WhatsAppWebHarness({ sendTimeoutMs: 30 }).start();
    try {
      const first = g.wa.client;
      g.wa.hangNext = 1;
      await g.adapter.send(g.chatId('hung'), [{ text: 'agent reply', language: 'en', kind: 'agent' }]);
      await g.wa.changes.until(() => g.wa.clients.length === 2 && g.adapter.state === 'ready', 'a new client after the hung send');
      expect(first.destroyed).toBe(true);
      expect(g.logs.some((l) => l.includes('a send got no answer'))).toBe(true);
      const [item] = await g.adapter.outbox.list(g.channelId, 'pending');
      expect(item).toMatchObject({ attempts: 1 });
      g.clock.advance(60_000); // the retry's back-off, on the injected clock
      await g.adapter.worker.drain();
      expect(g.wa.sent).toMatchObject([{ chatId: g.chatId('hung'), text: 'agent reply' }]);
    } finally {
      await g.close();
    }
  });

  it('reconnects with back-off on `disconnected` and sends what was queued meanwhile', async () => {
    const first = h.wa.client;
    first.emit('disconnected', 'NAVIGATION');
    expect(h.adapter.state).toBe('disconnected');
    await h.adapter.send(h.chatId('later'), [{ text: 'agent reply', language: 'en', kind: 'agent' }]);
    await h.wa.changes.until(() => h.wa.clients.length === 2 && h.adapter.state === 'ready', 'a new client, ready');
    expect(first.destroyed).toBe(true);
    await h.wa.changes.until(() => h.wa.sent.length === 1, 'the message queued while disconnected');
    expect(h.wa.sent[0]).toMatchObject({ chatId: h.chatId('later'), text: 'agent reply' });
    expect(h.logs.some((l) => l.includes('"reason":"NAVIGATION"'))).toBe(true);
    // Events of the old client are ignored after the reconnect.
    first.emit('disconnected', 'LOGOUT');
    expect(h.adapter.state).toBe('ready');
  });
});

describe('whatsapp-web units', () => {
  it('maps sendMessage failures', () => {
    expect(sendError('w', new Error('Evaluation failed: Error: wid error: invalid wid'))).toMatchObject({ retryable: false });
    expect(sendError('w', new Error('rate-overlimit'))).toBeInstanceOf(ChannelApiError);
    expect(sendError('w', new Error('Session closed'))).toBeInstanceOf(NetworkError);
  });

  it('builds the real whatsapp-web.js Client with LocalAuth and Debian chromium (not started)', async () => {
    const c = (await realClient({ dataPath: '/tmp/tawasul-wwebjs-unused', clientId: 'tawasul', executablePath: '/usr/bin/chromium' })) as unknown as {
      options: { puppeteer: { executablePath: string; args: string[] }; authStrategy: { dataPath: string; clientId: string } };
      initialize: unknown;
      sendMessage: unknown;
      on: unknown;
    };
    expect(typeof c.initialize).toBe('function');
    expect(typeof c.sendMessage).toBe('function');
    expect(c.options.puppeteer.executablePath).toBe('/usr/bin/chromium');
    expect(c.options.puppeteer.args).toContain('--no-sandbox');
    expect(c.options.authStrategy).toMatchObject({ clientId: 'tawasul' });
    expect(c.options.authStrategy.dataPath).toContain('/tmp/tawasul-wwebjs-unused');
  });

  it('is registered and its config options validate', () => {
    expect(channelRegistry['whatsapp-web']).toBeDefined();
    const cfg = loadConfig().channels.find((c) => c.id === 'whatsapp-web')!;
    expect(whatsappWebOptions.parse(cfg.options)).toMatchObject({ sessionId: 'tawasul', chromiumPath: '/usr/bin/chromium' });
  });
});
