/** Re-seals the personal fields of every request with the current data key (key rotation, first encryption). */
import type { SqliteDatabase } from '../store/sqlite-database.js';
import { SEALED_COLUMNS } from '../store/sqlite-request-store.js';
import type { FieldCipher } from './field-cipher.js';

/** What `rekey` changed. */
export interface RekeyReport {
  rows: number;
  /** Values that were plain and are now sealed. */
  sealed: number;
  /** Values sealed with the old key and re-sealed with the current one. */
  resealed: number;
}

/** Re-seals every personal value not sealed with the current key, in one transaction. */
export function rekey(sql: SqliteDatabase, cipher: FieldCipher): RekeyReport {
  const report: RekeyReport = { rows: 0, sealed: 0, resealed: 0 };
  const cols = SEALED_COLUMNS.join(', ');
  sql.tx(() => {
    const rows = sql.db.prepare(`SELECT id, ${cols} FROM requests`).all() as Array<Record<string, string | number | null>>;
    for (const row of rows) {
      const sets: string[] = [];
      const args: string[] = [];
      for (const col of SEALED_COLUMNS) {
        const v = row[col];
        if (typeof v !== 'string' || cipher.isCurrent(v)) continue;
        if (v.startsWith('enc1:')) report.resealed++;
        else report.sealed++;
        sets.push(`${col} = ?`);
        args.push(cipher.seal(col, cipher.open(col, v)));
      }
      if (sets.length === 0) continue;
      report.rows++;
      sql.db.prepare(`UPDATE requests SET ${sets.join(', ')} WHERE id = ?`).run(...args, row.id);
    }
  });
  return report;
}
