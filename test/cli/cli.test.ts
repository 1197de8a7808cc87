import { afterAll, describe, expect, it } from 'vitest';
import { Templates } from '../../bot/core/templates.js';
import { runTawasul } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const data = tempDir('tawasul-cli-');
afterAll(() => data.cleanup());

/** Runs `tawasul ARGS` with `input` on stdin and an agent token set. */
const tawasul = (args: string[], input = '') => runTawasul(args, input, { TAWASUL_AGENT_TOKENS: 'cli:cli-token-0123456789abcdef' });

const lines = (s: string): unknown[] =>
  s
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as unknown);

describe('tawasul command line', () => {
  it('parse TEXT prints one JSON object', async () => {
    const r = await tawasul(['parse', '--data', data.dir, 'ابي اطلب ردم حفره قدام البيت']);
    expect(r.code).toBe(0);
    const [obj] = lines(r.out) as Array<Record<string, unknown>>;
    expect(Object.keys(obj!).sort()).toEqual(['confidence', 'intent', 'language', 'service']);
    expect(obj).toMatchObject({ language: 'ar', intent: 'procedural_request', service: 'potholes' });
    expect(obj!.confidence).toBeGreaterThan(0);
    expect(obj!.confidence).toBeLessThanOrEqual(1);
  });

  it('parse reads one message per input line', async () => {
    const r = await tawasul(['parse', '--data', data.dir], 'السلام عليكم\nI have a complaint about the noise from the workshop\n\nابي اكلم موظف\n');
    const objs = lines(r.out) as Array<Record<string, unknown>>;
    expect(objs.map((o) => o.intent)).toEqual(['greeting', 'complaint', 'agent']);
    expect(objs.map((o) => o.service)).toEqual([null, null, null]);
  });

  it('chat prints each reply as one JSON line when stdin is not a terminal, and keeps the dialogue across runs', async () => {
    const first = await tawasul(['chat', '--data', data.dir, '--conversation', 'cli-test'], 'السلام عليكم\nابي اطلب ردم حفره\n');
    expect(first.code).toBe(0);
    const replies = lines(first.out) as Array<{ text: string }>;
    expect(replies.length).toBeGreaterThanOrEqual(2);
    expect(replies.every((r) => Object.keys(r).join() === 'text')).toBe(true);
    expect(replies[0]!.text).toContain('وعليكم السلام');
    const second = await tawasul(['chat', '--data', data.dir, '--conversation', 'cli-test'], 'سالم بن علي الكعبي\n');
    expect((lines(second.out) as Array<{ text: string }>)[0]!.text).toBe(new Templates().render('ar', 'ask_civilId'));
  });

  it('unknown commands print the usage and fail', async () => {
    const r = await tawasul(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/usage: tawasul/);
  });
});
