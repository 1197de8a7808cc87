/**
 * The web chat's memory of verified secrets: a conversation's next messages are checked against the
 * hash that matched without reading the store, a wrong secret is still refused, refusals are not
 * remembered (a conversation opened elsewhere later is found), and at most `max` conversations are kept.
 */
import { describe, expect, it } from 'vitest';
import { secretHash, secretMatches, VerifiedSecrets, type WebchatAccessStore } from '../../channels/webchat/store.js';

/** A store of fixed secrets that counts its reads; async like the PostgreSQL one when `async`. */
function store(secrets: Map<string, string>, async: boolean): WebchatAccessStore & { reads: number } {
  const s = {
    reads: 0,
    open: () => Promise.reject(new Error('not used')),
    verify(cid: string, secret: string) {
      s.reads++;
      const stored = secrets.get(cid);
      const ok = secretMatches(secret, stored === undefined ? undefined : secretHash(stored));
      return async ? Promise.resolve(ok) : ok;
    },
  };
  return s;
}

describe('VerifiedSecrets', () => {
  for (const async of [false, true]) {
    it(`checks a known conversation without the store, refuses a wrong secret, forgets nothing it refused (${async ? 'async' : 'sync'} store)`, async () => {
      const secrets = new Map([['a', 'secret-of-a-0123456789']]);
      const inner = store(secrets, async);
      const v = new VerifiedSecrets(inner);
      expect(await v.verify('a', 'secret-of-a-0123456789')).toBe(true);
      expect(inner.reads).toBe(1);
      expect(await v.verify('a', 'secret-of-a-0123456789')).toBe(true);
      expect(await v.verify('a', 'wrong-secret-0123456789')).toBe(false);
      expect(inner.reads).toBe(1);
      // Unknown, then opened (on another instance): found on the next look.
      expect(await v.verify('b', 'secret-of-b-0123456789')).toBe(false);
      secrets.set('b', 'secret-of-b-0123456789');
      expect(await v.verify('b', 'secret-of-b-0123456789')).toBe(true);
      expect(inner.reads).toBe(3);
    });
  }

  it('keeps at most max conversations, forgetting the oldest first', async () => {
    const secrets = new Map(['a', 'b', 'c'].map((k) => [k, `secret-of-${k}-0123456789`]));
    const inner = store(secrets, false);
    const v = new VerifiedSecrets(inner, 2);
    for (const k of ['a', 'b', 'c']) expect(await v.verify(k, `secret-of-${k}-0123456789`)).toBe(true);
    expect(inner.reads).toBe(3);
    expect(await v.verify('c', 'secret-of-c-0123456789')).toBe(true);
    expect(await v.verify('b', 'secret-of-b-0123456789')).toBe(true);
    expect(inner.reads).toBe(3);
    expect(await v.verify('a', 'secret-of-a-0123456789')).toBe(true);
    expect(inner.reads).toBe(4);
  });
});
