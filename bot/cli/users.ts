/**
 * `tawasul users add|list|disable|enable|reset-password`: console accounts on the command line (the
 * first admin of a fresh install). Passwords never travel in arguments: the first line of standard
 * input when it is piped, otherwise a generated one printed once. With TAWASUL_DATABASE_URL set the
 * accounts, sessions and audit trail are those on PostgreSQL (the data directory gives the configuration).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { type AccountStore, ROLES, type Role, SqliteAccountStore } from '../console/accounts.js';
import { type SessionStore, SqliteSessionStore } from '../console/sessions.js';
import { InputError } from '../core/errors.js';
import { systemClock } from '../engine/context.js';
import { type AuditTrail, SqliteConversationStore } from '../store/conversation-store.js';
import { migrateCore } from '../store/schema.js';
import { SqliteDatabase } from '../store/sqlite-database.js';
import type { Command } from './command.js';
import { loadCliConfig } from './due.js';

const USAGE = `usage:
  tawasul users add USERNAME --role ${ROLES.join('|')} [--departments ID,ID] [--name "Display name"]
  tawasul users list
  tawasul users disable USERNAME | enable USERNAME
  tawasul users reset-password USERNAME
The password is read from the first line of standard input when piped, else generated and printed once.`;

async function readPassword(): Promise<{ password: string; generated: boolean }> {
  if (process.stdin.isTTY) return { password: randomBytes(12).toString('base64url'), generated: true };
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    rl.close();
    return { password: line.replace(/\r$/, ''), generated: false };
  }
  return { password: randomBytes(12).toString('base64url'), generated: true };
}

/** The stores the command works on, and how to let go of them. */
interface AccountStores {
  accounts: AccountStore;
  sessions: SessionStore;
  audit: AuditTrail;
  close(): Promise<void>;
}

/** The accounts on PostgreSQL when TAWASUL_DATABASE_URL is set (migrated first), else in the data directory's SQLite. */
async function openStores(dataDir: string, departments: ReadonlySet<string>): Promise<AccountStores> {
  if (process.env.TAWASUL_DATABASE_URL) {
    // Imported only then, so that the embedded path does not load the PostgreSQL driver.
    const [{ openPostgresStores }, { PostgresAccountStore }, { PostgresSessionStore }] = await Promise.all([
      import('../store/postgres/stores.js'),
      import('../store/postgres/account-store.js'),
      import('../store/postgres/session-store.js'),
    ]);
    const stores = await openPostgresStores(undefined, { max: 2 });
    return {
      accounts: new PostgresAccountStore(stores.pool, systemClock, departments),
      sessions: new PostgresSessionStore(stores.pool, systemClock),
      audit: stores.turn.conversations,
      close: () => stores.close(),
    };
  }
  const file = join(dataDir, 'tawasul.sqlite');
  const sql = new SqliteDatabase(file);
  // On a fresh install this command creates the database: it holds password hashes (and later personal data).
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
  try {
    await migrateCore(sql);
  } catch (err) {
    sql.close();
    throw err;
  }
  return {
    accounts: new SqliteAccountStore(sql, systemClock, departments),
    sessions: new SqliteSessionStore(sql, systemClock),
    audit: new SqliteConversationStore(sql),
    close: async () => sql.close(),
  };
}

/** `tawasul users …` (on PostgreSQL when TAWASUL_DATABASE_URL is set). */
export const usersCommand: Command = {
  options: { role: { type: 'string' }, departments: { type: 'string' }, name: { type: 'string' } },
  async run(values, positionals) {
    const [action, username] = positionals;
    const err = (m: string, code = 2): number => {
      process.stderr.write(`tawasul users: ${m}\n`);
      return code;
    };
    if (!action || !['add', 'list', 'disable', 'enable', 'reset-password'].includes(action)) return err(USAGE);
    if (action !== 'list' && !username) return err(`${action} needs a USERNAME\n${USAGE}`);
    const dataDir = resolve(String(values.data));
    const config = loadCliConfig(dataDir);
    const { accounts, sessions, audit, close } = await openStores(dataDir, new Set(config.departments.map((d) => d.id)));
    try {
      const now = new Date();
      if (action === 'list') {
        for (const a of await accounts.list()) {
          process.stdout.write(`${a.username}\t${a.role}\t${a.departments.join(',') || '-'}\t${a.disabled ? 'disabled' : 'active'}\t${a.displayName}\n`);
        }
        return 0;
      }
      if (action === 'add') {
        const role = values.role;
        if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) return err(`--role must be one of ${ROLES.join(', ')}`);
        const departments =
          typeof values.departments === 'string'
            ? values.departments
                .split(',')
                .map((s) => s.trim())
                .filter(Boolean)
            : [];
        const { password, generated } = await readPassword();
        const a = await accounts.add({
          username: username!,
          role: role as Role,
          departments,
          password,
          ...(typeof values.name === 'string' ? { displayName: values.name } : {}),
        });
        await audit.audit('cli', 'account.add', a.username, now);
        process.stdout.write(`added ${a.username} (${a.role}${a.departments.length ? `: ${a.departments.join(', ')}` : ''})\n`);
        if (generated) process.stdout.write(`password: ${password}\n(shown once; change it with: tawasul users reset-password ${a.username})\n`);
        return 0;
      }
      const a = await accounts.byUsername(username!);
      if (!a) return err(`no account "${username}"`, 1);
      if (action === 'disable' || action === 'enable') {
        await accounts.setDisabled(a.username, action === 'disable');
        if (action === 'disable') await sessions.destroyAll(a.id);
        await audit.audit('cli', `account.${action}`, a.username, now);
        process.stdout.write(`${action}d ${a.username}\n`);
        return 0;
      }
      const { password, generated } = await readPassword();
      await accounts.resetPassword(a.username, password);
      await sessions.destroyAll(a.id);
      await audit.audit('cli', 'account.reset-password', a.username, now);
      process.stdout.write(`password reset for ${a.username}\n${generated ? `password: ${password}\n` : ''}`);
      return 0;
    } catch (e) {
      if (e instanceof InputError) return err(e.message);
      throw e;
    } finally {
      await close();
    }
  },
};
