/**
 * Encryption of personal fields at rest: AES-256-GCM (node:crypto) with a fresh 96-bit nonce per
 * value and the column name as associated data, and a keyed HMAC-SHA256 for look-ups by value.
 * Both keys are derived (HKDF) from `TAWASUL_DATA_KEY`. A sealed value reads
 * `enc1:<key id>:<base64url(nonce | tag | ciphertext)>`; values without the prefix are plain
 * (rows written before a key was set). `TAWASUL_DATA_KEY_OLD` is used only to read during a
 * rotation (`tawasul rekey` re-seals every row with the current key).
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { ConfigError, StoreError } from '../core/errors.js';

const PREFIX = 'enc1:';

interface DerivedKey {
  id: string;
  enc: Buffer;
  mac: Buffer;
}

function derive(master: Buffer): DerivedKey {
  const sub = (info: string, n: number): Buffer => Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), info, n));
  return { id: sub('tawasul/key-id', 4).toString('hex'), enc: sub('tawasul/fields/aes-256-gcm', 32), mac: sub('tawasul/lookup/hmac-sha256', 32) };
}

/** Parses a 32-byte key given as 64 hex digits or base64/base64url; throws ConfigError naming the variable. */
export function parseDataKey(value: string, name: string): Buffer {
  const v = value.trim();
  const key = /^[0-9a-f]{64}$/i.test(v) ? Buffer.from(v, 'hex') : Buffer.from(v.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (key.length !== 32)
    throw new ConfigError(`environment: ${name}: expected 32 random bytes as 64 hex digits or base64 (openssl rand -base64 32)`, 'environment', name);
  return key;
}

/** Seals and opens personal fields; one instance per process, built from the environment. */
export class FieldCipher {
  private readonly current: DerivedKey;
  private readonly byId = new Map<string, DerivedKey>();

  constructor(current: Buffer, old?: Buffer) {
    this.current = derive(current);
    this.byId.set(this.current.id, this.current);
    if (old) {
      const o = derive(old);
      if (!this.byId.has(o.id)) this.byId.set(o.id, o);
    }
  }

  /** The cipher of `TAWASUL_DATA_KEY` (and `TAWASUL_DATA_KEY_OLD`), or undefined when no key is set. */
  static fromEnv(env: NodeJS.ProcessEnv): FieldCipher | undefined {
    const key = env.TAWASUL_DATA_KEY;
    if (!key) {
      if (env.TAWASUL_DATA_KEY_OLD)
        throw new ConfigError('environment: TAWASUL_DATA_KEY_OLD is set without TAWASUL_DATA_KEY', 'environment', 'TAWASUL_DATA_KEY');
      return undefined;
    }
    return new FieldCipher(
      parseDataKey(key, 'TAWASUL_DATA_KEY'),
      env.TAWASUL_DATA_KEY_OLD ? parseDataKey(env.TAWASUL_DATA_KEY_OLD, 'TAWASUL_DATA_KEY_OLD') : undefined,
    );
  }

  /** Id of the current key (first 8 hex digits of a derived value; not secret). */
  get keyId(): string {
    return this.current.id;
  }

  /** Encrypts `plain` for `column` with the current key. */
  seal(column: string, plain: string): string {
    const nonce = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.current.enc, nonce);
    c.setAAD(Buffer.from(column));
    const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return `${PREFIX}${this.current.id}:${Buffer.concat([nonce, c.getAuthTag(), ct]).toString('base64url')}`;
  }

  /** Decrypts a sealed value (current or old key); plain values are returned as they are. */
  open(column: string, stored: string): string {
    if (!isSealed(stored)) return stored;
    const [, id, data] = stored.split(':');
    const key = this.byId.get(id ?? '');
    if (!key) throw new StoreError(`a ${column} value is sealed with key ${id}, which is neither TAWASUL_DATA_KEY nor TAWASUL_DATA_KEY_OLD`);
    const raw = Buffer.from(data ?? '', 'base64url');
    const d = createDecipheriv('aes-256-gcm', key.enc, raw.subarray(0, 12));
    d.setAAD(Buffer.from(column));
    d.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8');
  }

  /** True when `stored` is plain, or sealed with a key this cipher holds (current or old). */
  canOpen(stored: string): boolean {
    return !isSealed(stored) || this.byId.has(stored.split(':')[1] ?? '');
  }

  /** True when `stored` is sealed with the current key (nothing to do for `rekey`). */
  isCurrent(stored: string): boolean {
    return stored.startsWith(`${PREFIX}${this.current.id}:`);
  }

  /** Keyed hash of a value for equality look-ups (hex, current key). */
  lookupHash(purpose: string, value: string): string {
    return createHmac('sha256', this.current.mac).update(`${purpose}\0${value}`).digest('hex');
  }
}

/** True when a stored value is sealed (whatever the key). */
export function isSealed(stored: string): boolean {
  return stored.startsWith(PREFIX);
}

/** A stored value opened with `cipher`; plain values as they are, a StoreError when sealed and no key is set. */
export function openField(cipher: FieldCipher | undefined, column: string, stored: string): string {
  if (!isSealed(stored)) return stored;
  if (!cipher) throw new StoreError('request data is encrypted: set TAWASUL_DATA_KEY');
  return cipher.open(column, stored);
}

/** The value to store: sealed with `cipher` when one is set, else as it is (null stays null). */
export function sealField<T extends string | null>(cipher: FieldCipher | undefined, column: string, plain: T): T {
  return (plain === null || !cipher ? plain : cipher.seal(column, plain)) as T;
}
