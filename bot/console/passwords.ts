/** Console passwords: scrypt hashes (node:crypto) compared in constant time, and the strength rule. */
import { randomBytes, type ScryptOptions, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { InputError } from '../core/errors.js';

/** Shortest password accepted. */
export const MIN_PASSWORD = 10;

const SCRYPT = { N: 2 ** 15, r: 8, p: 1, keylen: 32 };
const scrypt = (password: string, salt: Buffer, keylen: number, o: ScryptOptions): Promise<Buffer> =>
  new Promise((resolve, reject) => scryptCb(password.normalize('NFC'), salt, keylen, o, (err, key) => (err ? reject(err) : resolve(key))));

/** Hashes a password: `scrypt$N$r$p$salt$key` (base64url). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, SCRYPT.keylen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p, maxmem: 128 * SCRYPT.N * SCRYPT.r * 2 });
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** True when `password` matches the stored hash (constant-time comparison). */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, key] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64url');
  const N = Number(n),
    R = Number(r),
    P = Number(p);
  const got = await scrypt(password, Buffer.from(salt, 'base64url'), expected.length, { N, r: R, p: P, maxmem: 128 * N * R * 2 });
  return timingSafeEqual(got, expected);
}

/** Throws InputError `weak_password` unless the password is long enough (and not absurdly long). */
export function checkPassword(p: string): void {
  if (typeof p !== 'string' || [...p].length < MIN_PASSWORD || p.length > 200)
    throw new InputError(`password: at least ${MIN_PASSWORD} characters`, 400, 'weak_password');
}
