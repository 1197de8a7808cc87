/**
 * Re-seals the personal fields of every request with the current data key (key rotation, first
 * encryption): the rule for one row, and SQLite's run in one transaction (PostgreSQL's, in
 * resumable batches: bot/store/postgres/rekey.ts).
 */
import { SEALED_COLUMNS } from '../store/request-row.js';
import type { SqliteDatabase } from '../store/sqlite-database.js';
import { type FieldCipher, isSealed } from './field-cipher.js';

/** What `rekey` changed. */
export interface RekeyReport {
  rows: number;
  /** Values that were plain and are now sealed. */
  sealed: number;
  /** Values sealed with the old key and re-sealed with the current one. */
  resealed: number;
}

/** A request's personal columns as stored. */
export type PersonalRow = Record<(typeof SEALED_COLUMNS)[number], string | null>;

/** The row's personal values re-sealed with the current key, or undefined when none needed it (counts into `report`). */
export function reseal(row: PersonalRow, cipher: FieldCipher, report: RekeyReport): PersonalRow | undefined {
  const out = { ...row };
  let changed = false;
  for (const col of SEALED_COLUMNS) {
    const v = row[col];
    if (typeof v !== 'string' || cipher.isCurrent(v)) continue;
    if (isSealed(v)) report.resealed++;
    else report.sealed++;
    out[col] = cipher.seal(col, cipher.open(col, v));
    changed = true;
  }
  if (changed) report.rows++;
  return changed ? out : undefined;
}

/** Re-seals every personal value not sealed with the current key, in one transaction (SQLite). */
export function rekey(sql: SqliteDatabase, cipher: FieldCipher): RekeyReport {
  const report: RekeyReport = { rows: 0, sealed: 0, resealed: 0 };
  sql.tx(() => {
    const rows = sql.db.prepare(`SELECT id, ${SEALED_COLUMNS.join(', ')} FROM requests`).all() as Array<PersonalRow & { id: number }>;
    const update = sql.db.prepare(`UPDATE requests SET ${SEALED_COLUMNS.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`);
    for (const row of rows) {
      const next = reseal(row, cipher, report);
      if (next) update.run(...SEALED_COLUMNS.map((c) => next[c]), row.id);
    }
  });
  return report;
}
