/** End-to-end: inquiries answer the question asked, not every fact the configuration holds. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatClient, type Running, startTawasul } from '../helpers/app.js';

describe('inquiries answer the question asked', () => {
  let run: Running;
  beforeAll(async () => {
    run = await startTawasul();
  });
  afterAll(async () => {
    await run?.cleanup();
  });

  it('"What is the e-mail of the helpdesk?" gets helpdesk@bur.gov.om and nothing else', async () => {
    const reply = await (await ChatClient.open(run.base)).say('What is the e-mail of the helpdesk?');
    expect(reply).toContain('helpdesk@bur.gov.om');
    expect(reply).not.toContain('contact@bur.gov.om');
    expect(reply.split('\n')).toHaveLength(1);
  });

  it('"what are the WhatsApp hours?" gets WhatsApp\'s hours only', async () => {
    const reply = await (await ChatClient.open(run.base)).say('what are the WhatsApp hours?');
    expect(reply).toBe('WhatsApp hours: Sunday to Thursday, 08:00 to 13:00');
  });

  it('«متى دوام الواتساب؟» and «وش ايميل الدعم الفني» in Arabic', async () => {
    const chat = await ChatClient.open(run.base);
    expect(await chat.say('متى دوام الواتساب؟')).toBe('أوقات واتساب: من الأحد إلى الخميس من 08:00 إلى 13:00');
    const support = await chat.say('كم رقم الدعم الفني');
    expect(support).toContain('+968 2121 2056');
    expect(support).not.toContain('2564 3286');
  });

  it('the services list states the default completion time with its plural form', async () => {
    const chat = await ChatClient.open(run.base);
    const ar = await chat.say('1');
    expect(ar).toContain('خلال 6 أيام عمل ما لم يُذكر');
    expect(ar).toContain('(5 أيام عمل)');
    const en = await (await ChatClient.open(run.base)).say('which services do you offer?');
    expect(en).toContain('within 6 working days unless');
  });

  it('a general hours question still lists every channel', async () => {
    const reply = await (await ChatClient.open(run.base)).say('what are your working hours?');
    expect(reply).toContain('WhatsApp');
    expect(reply).toContain('Governorate contact centre');
  });

  it("a question about the bot itself says what it is and how to reach a person, in the asker's language", async () => {
    const en = await (await ChatClient.open(run.base)).say('are you a robot or a real person?');
    expect(en).toContain('automated assistant');
    expect(en).toContain('send "agent"');
    const ar = await (await ChatClient.open(run.base)).say('انت روبوت؟');
    expect(ar).toContain('المساعد الآلي');
    expect(ar).toContain('أرسل «موظف»');
  });
});
