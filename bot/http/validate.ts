/** The one validation approach of the HTTP APIs: zod schemas; a refusal is `{ error: { reason, message, field? } }`, a 400 naming the field. */
import type { Response } from 'express';
import type { z } from 'zod';

/** Sends the console's error shape: `{ error: { reason, message, field? } }`. */
export function fail(res: Response, status: number, reason: string, message: string, field?: string, extra: Record<string, unknown> = {}): void {
  res.status(status).json({ error: { reason, message, ...(field ? { field } : {}), ...extra } });
}

/** Parses `input` with `schema`; on failure answers 400 (`invalid_body` or `invalid_query`) naming the field, and returns undefined. */
export function parse<S extends z.ZodType>(schema: S, input: unknown, res: Response, where: 'body' | 'query' = 'body'): z.infer<S> | undefined {
  const r = schema.safeParse(input ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const keys = issue.code === 'unrecognized_keys' ? ((issue as { keys?: string[] }).keys ?? []) : [];
  const field = [...issue.path.map(String), ...keys.slice(0, 1)].join('.') || where;
  fail(res, 400, where === 'body' ? 'invalid_body' : 'invalid_query', `${field}: ${issue.message}`, field);
  return undefined;
}
