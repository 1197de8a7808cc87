/** A message that is only a service's name files that service (bot/nlu/service-names.ts and its use in model.ts). */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { defaultConfigDir } from '../../bot/core/paths.js';
import { createClassifier } from '../../bot/nlu/classifier.js';
import type { NeuralClassifier } from '../../bot/nlu/model.js';
import { bareServiceName, serviceNameIndex } from '../../bot/nlu/service-names.js';
import { loadTrainingData, trainingDataHash } from '../../bot/nlu/training-data.js';

const services = (parse(readFileSync(join(defaultConfigDir, 'services.yaml'), 'utf8')) as { services: Array<{ id: string; name: { ar: string; en: string } }> })
  .services;

describe('bare service names', () => {
  it('compares names without diacritics, hamza seats, punctuation, emojis or a leading «طلب» / «خدمة» / "request"', () => {
    expect(bareServiceName('طلبُ غلق الليوان!! 🙏')).toBe(bareServiceName('غلق الليوان'));
    expect(bareServiceName('خدمة النظافة العامة')).toBe(bareServiceName('النظافة العامه'));
    expect(bareServiceName('Request: Pest Control.')).toBe('pest control');
    expect(bareServiceName('طلب')).toBe('طلب');
  });

  it('indexes each bare name once, and leaves out a name two services share', () => {
    const index = serviceNameIndex([
      ['ردم الحفر', 'potholes'],
      ['طلب ردم الحفر', 'potholes'],
      ['المعدات', 'potholes'],
      ['المعدات', 'equipment-general'],
    ]);
    expect([...index]).toEqual([[bareServiceName('ردم الحفر'), 'potholes']]);
  });

  it('are gathered from services.yaml and the nlu files, and a renamed service changes the cache key', () => {
    const { names } = loadTrainingData(defaultConfigDir);
    for (const s of services) {
      expect(names).toContainEqual([s.name.ar, s.id]);
      expect(names).toContainEqual([s.name.en, s.id]);
    }
    expect(names.length).toBeGreaterThan(services.length * 2);
    const dir = mkdtempSync(join(tmpdir(), 'tawasul-names-'));
    try {
      cpSync(defaultConfigDir, dir, { recursive: true });
      const before = trainingDataHash(dir);
      const file = join(dir, 'services.yaml');
      writeFileSync(file, readFileSync(file, 'utf8').replace(services[0]!.name.ar, `${services[0]!.name.ar} الجديد`));
      expect(trainingDataHash(dir)).not.toBe(before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the classifier on a bare service name', () => {
  let classifier: NeuralClassifier;
  beforeAll(async () => {
    classifier = await createClassifier();
  }, 300_000);

  it('files the named service, sure of it, for every official name in Arabic and English, bare or with «طلب» and punctuation', async () => {
    for (const s of services) {
      for (const text of [s.name.ar, s.name.en, `طلب ${s.name.ar}؟`, `${s.name.en} 🙏`]) {
        const c = await classifier.classify(text);
        expect([c.intent, c.service, c.confidence, c.serviceScore], text).toEqual(['procedural_request', s.id, 1, 1]);
      }
    }
    expect((await classifier.classify('حماية المنازل من الأودية')).language).toBe('ar');
    expect((await classifier.classify('pest control')).language).toBe('en');
  });

  it('leaves a message that says more than the name to the networks: a question about the service stays an inquiry', async () => {
    const asked = await classifier.classify('كم يوم ياخذ طلب حماية المنازل من الأودية؟');
    expect([asked.intent, asked.service]).toEqual(['inquiry', 'wadi-protection']);
    const howLong = await classifier.classify('how long does pest control take?');
    expect([howLong.intent, howLong.service]).toEqual(['inquiry', 'pest-control']);
  });
});
