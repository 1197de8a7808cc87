/** The contract every AccountStore and SessionStore implementation passes: SQLite and PostgreSQL (account-stores.test.ts). */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AccountStore, LOCKOUT } from '../../bot/console/accounts.js';
import type { SessionStore } from '../../bot/console/sessions.js';
import type { ManualClock } from '../helpers/tmp.js';

/** Two instances' stores on one database, their shared clock, and cleanup. */
export interface AccountHarness {
  clock: ManualClock;
  /** Stores of the first instance; `other` those of a second instance on the same data. */
  accounts: AccountStore;
  sessions: SessionStore;
  other: { accounts: AccountStore; sessions: SessionStore };
  close(): Promise<void>;
}

const PASSWORD = 'correct horse battery';
const WRONG = 'not the right password';

/** Registers the contract tests for one implementation; `make` builds stores whose known departments are `roads` and `training`. */
export function accountStoreContract(name: string, make: () => Promise<AccountHarness>): void {
  describe(`AccountStore and SessionStore contract: ${name}`, () => {
    let h: AccountHarness;
    beforeEach(async () => {
      h = await make();
    });
    afterEach(async () => {
      await h.close();
    });

    it('adds accounts, normalizes the username and finds them by id and name, in name order', async () => {
      const a = await h.accounts.add({ username: ' Salma ', role: 'department', departments: ['roads', 'roads'], password: PASSWORD });
      await h.accounts.add({ username: 'ahmed', displayName: 'Ahmed Al Kaabi', role: 'agent', password: PASSWORD });
      expect(a).toEqual(expect.objectContaining({ username: 'salma', displayName: 'salma', role: 'department', departments: ['roads'], disabled: false }));
      expect(a.createdAt).toEqual(h.clock.now());
      expect(await h.accounts.get(a.id)).toEqual(a);
      expect(await h.other.accounts.byUsername('SALMA')).toEqual(a);
      expect((await h.accounts.list()).map((x) => x.username)).toEqual(['ahmed', 'salma']);
      expect(await h.accounts.count()).toBe(2);
      expect(await h.accounts.get(9999)).toBeUndefined();
    });

    it('refuses bad input and a taken username, naming the field', async () => {
      await h.accounts.add({ username: 'salma', role: 'admin', password: PASSWORD });
      const code = (p: Promise<unknown>) =>
        p.then(
          () => 'added',
          (e: { reason?: string }) => e.reason,
        );
      expect(await code(h.accounts.add({ username: 'salma', role: 'agent', password: PASSWORD }))).toBe('username_taken');
      expect(await code(h.accounts.add({ username: 'x', role: 'agent', password: PASSWORD }))).toBe('invalid_username');
      expect(await code(h.accounts.add({ username: 'bob', role: 'department', password: PASSWORD }))).toBe('invalid_departments');
      expect(await code(h.accounts.add({ username: 'bob', role: 'department', departments: ['moon'], password: PASSWORD }))).toBe('invalid_departments');
      expect(await code(h.accounts.add({ username: 'bob', role: 'agent', password: 'short' }))).toBe('weak_password');
      expect(await h.accounts.count()).toBe(1);
    });

    it('signs in with the right password only, and not a disabled account', async () => {
      await h.accounts.add({ username: 'salma', role: 'agent', password: PASSWORD });
      const ok = await h.accounts.signIn('Salma', PASSWORD);
      expect(ok.ok && ok.account.username).toBe('salma');
      expect(await h.accounts.signIn('salma', WRONG)).toEqual({ ok: false, reason: 'bad_credentials' });
      expect(await h.accounts.signIn('nobody', PASSWORD)).toEqual({ ok: false, reason: 'bad_credentials' });
      expect(await h.accounts.setDisabled('salma', true)).toBe(true);
      expect(await h.other.accounts.signIn('salma', PASSWORD)).toEqual({ ok: false, reason: 'disabled' });
      expect(await h.accounts.setDisabled('nobody', true)).toBe(false);
      await h.accounts.setDisabled('salma', false);
      expect((await h.accounts.signIn('salma', PASSWORD)).ok).toBe(true);
    });

    it(`locks an account after ${LOCKOUT.failures} failures in a row, until the lock ends; a reset lifts it`, async () => {
      await h.accounts.add({ username: 'salma', role: 'agent', password: PASSWORD });
      for (let i = 1; i < LOCKOUT.failures; i++) expect((await h.accounts.signIn('salma', WRONG)).ok).toBe(false);
      const until = new Date(h.clock.now().getTime() + LOCKOUT.minutes * 60_000);
      expect(await h.other.accounts.signIn('salma', WRONG)).toEqual({ ok: false, reason: 'locked', lockedUntil: until });
      expect(await h.accounts.signIn('salma', PASSWORD)).toEqual({ ok: false, reason: 'locked', lockedUntil: until });
      expect((await h.accounts.byUsername('salma'))?.lockedUntil).toEqual(until);
      h.clock.set(until);
      // The count restarted with the lock's end: one failure does not lock again.
      expect(await h.accounts.signIn('salma', WRONG)).toEqual({ ok: false, reason: 'bad_credentials' });
      expect((await h.accounts.signIn('salma', PASSWORD)).ok).toBe(true);
      for (let i = 0; i < LOCKOUT.failures; i++) await h.accounts.signIn('salma', WRONG);
      expect(await h.accounts.resetPassword('salma', 'a brand new password')).toBe(true);
      expect((await h.accounts.signIn('salma', 'a brand new password')).ok).toBe(true);
      expect(await h.accounts.resetPassword('nobody', 'a brand new password')).toBe(false);
    });

    it('counts failures made at once on two instances without losing one', async () => {
      await h.accounts.add({ username: 'salma', role: 'agent', password: PASSWORD });
      const tries = Array.from({ length: LOCKOUT.failures }, (_, i) => (i % 2 ? h.other.accounts : h.accounts).signIn('salma', WRONG));
      const results = await Promise.all(tries);
      expect(results.filter((r) => !r.ok && r.reason === 'locked')).toHaveLength(1);
      expect((await h.accounts.signIn('salma', PASSWORD)).ok).toBe(false);
      expect((await h.other.accounts.byUsername('salma'))?.lockedUntil).toBeDefined();
    });

    it('keeps a session alive while used, ends it when idle too long or too old, and on sign-out', async () => {
      const a = await h.accounts.add({ username: 'salma', role: 'agent', password: PASSWORD });
      const s = await h.sessions.create(a.id);
      const seen = await h.other.sessions.touch(s.token);
      expect(seen).toEqual({ accountId: a.id, csrf: s.csrf, createdAt: h.clock.now(), lastSeenAt: h.clock.now() });
      const idle = h.sessions.limits.idleMinutes * 60_000;
      h.clock.advance(idle); // exactly at the idle limit: still alive, and refreshed
      expect((await h.sessions.touch(s.token))?.lastSeenAt).toEqual(h.clock.now());
      h.clock.advance(idle + 1);
      expect(await h.sessions.touch(s.token)).toBeUndefined();
      h.clock.advance(-idle - 1);
      expect(await h.sessions.touch(s.token)).toBeUndefined(); // deleted, not merely refused
      const old = await h.sessions.create(a.id);
      for (let t = 0; t <= h.sessions.limits.absoluteHours * 60; t += h.sessions.limits.idleMinutes) {
        expect(await h.sessions.touch(old.token)).toBeDefined();
        h.clock.advance(h.sessions.limits.idleMinutes * 60_000);
      }
      expect(await h.sessions.touch(old.token)).toBeUndefined();
      const out = await h.sessions.create(a.id);
      await h.other.sessions.destroy(out.token);
      expect(await h.sessions.touch(out.token)).toBeUndefined();
      expect(await h.sessions.touch('never-issued')).toBeUndefined();
    });

    it("ends every session of an account, and only that account's", async () => {
      const a = await h.accounts.add({ username: 'salma', role: 'agent', password: PASSWORD });
      const b = await h.accounts.add({ username: 'ahmed', role: 'agent', password: PASSWORD });
      const [s1, s2, s3] = [await h.sessions.create(a.id), await h.other.sessions.create(a.id), await h.sessions.create(b.id)];
      expect(s1.token).not.toBe(s2.token);
      await h.sessions.destroyAll(a.id);
      expect(await h.other.sessions.touch(s1.token)).toBeUndefined();
      expect(await h.sessions.touch(s2.token)).toBeUndefined();
      expect((await h.sessions.touch(s3.token))?.accountId).toBe(b.id);
    });
  });
}
