/**
 * `tawasul rekey` on PostgreSQL: re-seals requests' personal fields with the current data key in
 * batches by id, each its own transaction; values already sealed with the current key are left
 * alone, so a run stopped half-way is finished by running it again.
 */
import type pg from 'pg';
import type { FieldCipher } from '../../security/field-cipher.js';
import { type PersonalRow, type RekeyReport, reseal } from '../../security/rekey.js';
import { SEALED_COLUMNS } from '../request-row.js';
import { withTransaction } from './database.js';

/** Options of `rekeyPostgres`. */
export interface PostgresRekeyOptions {
  /** Requests per transaction (default 500). */
  batch?: number;
  /** Called after each committed batch with the totals so far (progress; tests stop a run here). */
  onBatch?: (report: RekeyReport, lastId: number) => void | Promise<void>;
}

/**
 * Re-seals every personal value not sealed with the current key (PostgreSQL), in batches of
 * requests by id: each batch locks its rows (`FOR UPDATE`: a staff action on one of them waits for
 * the batch) and is committed on its own, so a failure loses at most the batch in flight and a
 * second run finishes the job. Running instances keep serving meanwhile (with both keys set).
 */
export async function rekeyPostgres(pool: pg.Pool, cipher: FieldCipher, options: PostgresRekeyOptions = {}): Promise<RekeyReport> {
  const report: RekeyReport = { rows: 0, sealed: 0, resealed: 0 };
  const batch = options.batch ?? 500;
  const cols = SEALED_COLUMNS.join(', ');
  let after = 0;
  for (;;) {
    const { count, last } = await withTransaction(pool, async (c) => {
      const r = await c.query<PersonalRow & { id: string }>(`SELECT id, ${cols} FROM requests WHERE id > $1 ORDER BY id LIMIT $2 FOR UPDATE`, [after, batch]);
      const changed = r.rows.flatMap((row) => {
        const next = reseal(row, cipher, report);
        return next ? [{ id: row.id, ...next }] : [];
      });
      if (changed.length > 0) {
        await c.query(
          `UPDATE requests r SET ${SEALED_COLUMNS.map((col) => `${col} = v.${col}`).join(', ')}
           FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[]) AS v (id, ${cols}) WHERE r.id = v.id`,
          [changed.map((x) => x.id), ...SEALED_COLUMNS.map((col) => changed.map((x) => x[col]))],
        );
      }
      return { count: r.rows.length, last: Number(r.rows.at(-1)?.id ?? after) };
    });
    after = last;
    if (count > 0) await options.onBatch?.({ ...report }, last);
    if (count < batch) return report;
  }
}
