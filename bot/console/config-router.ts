/**
 * The configuration overlay for admins: escalation contacts of the roles (e-mail and SMS number),
 * written to the local overlay (data/config.local.yaml, merged over config/ by id) and applied
 * without a restart; on PostgreSQL shared with the other instances (bot/config/shared-overlay.ts).
 * Comments and other entries of the overlay are kept.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import express, { type Router } from 'express';
import { isMap, isSeq, parseDocument, YAMLMap, YAMLSeq } from 'yaml';
import { z } from 'zod';
import type { TawasulConfig } from '../../config/schema.js';
import { ConfigError, InputError } from '../core/errors.js';
import { fail, parse } from '../http/validate.js';
import { allow, principal } from './auth.js';
import type { ConsoleDeps } from './deps.js';

const contactBody = z
  .object({
    email: z.union([z.email(), z.literal('')]).optional(),
    phone: z.union([z.string().regex(/^\+?\d{8,15}$/, 'expected 8 to 15 digits, optionally with +'), z.literal('')]).optional(),
  })
  .strict();

/** Where the overlay lives and how to re-read the whole configuration. */
export interface OverlayOptions {
  file: string;
  reload: () => TawasulConfig;
  /** Shares the overlay's new content with the other instances (PostgreSQL and a nudge); none in process. */
  publish?: (content: string) => Promise<void>;
}

/** Sets (or clears, with "") a role's contacts in the overlay file. */
export function writeRoleContact(file: string, roleId: string, contact: { email?: string | undefined; phone?: string | undefined }): void {
  const doc = parseDocument(existsSync(file) ? readFileSync(file, 'utf8') : '');
  if (doc.errors.length) throw new InputError(`${file}: not valid YAML; fix it by hand first`, 409, 'overlay_invalid');
  if (!isMap(doc.contents)) doc.contents = new YAMLMap() as never;
  let roles = doc.get('roles');
  if (!isSeq(roles)) {
    roles = new YAMLSeq();
    doc.set('roles', roles);
  }
  const seq = roles as YAMLSeq;
  let entry = seq.items.find((i) => isMap(i) && i.get('id') === roleId) as YAMLMap | undefined;
  if (!entry) {
    entry = new YAMLMap();
    entry.set('id', roleId);
    seq.add(entry);
  }
  for (const k of ['email', 'phone'] as const) {
    const v = contact[k];
    if (v === undefined) continue;
    if (v === '') entry.delete(k);
    else entry.set(k, v);
  }
  writeFileSync(file, String(doc), { mode: 0o600 });
}

/** The configuration router (mounted under /api/console). */
export function configRouter(d: ConsoleDeps, overlay: OverlayOptions | undefined): Router {
  const r = express.Router();
  r.get('/config/roles', allow('admin'), (_req, res) => {
    res.json({
      roles: d.sla.ctx.config.roles.map((x) => ({ id: x.id, name: x.name, department: x.department ?? null, email: x.email ?? null, phone: x.phone ?? null })),
      overlay: !!overlay,
    });
  });
  r.put('/config/roles/:id', allow('admin'), express.json({ limit: '4kb' }), async (req, res) => {
    const id = String(req.params.id);
    if (!d.sla.ctx.roles.has(id)) return fail(res, 404, 'unknown_role', 'no such role in config/services.yaml', 'id');
    const body = parse(contactBody, req.body, res);
    if (!body) return;
    if (!overlay) return fail(res, 501, 'not_available', 'no configuration overlay in this process');
    const before = existsSync(overlay.file) ? readFileSync(overlay.file, 'utf8') : undefined;
    let applied = false;
    try {
      writeRoleContact(overlay.file, id, body);
      d.sla.ctx.setConfig(overlay.reload());
      applied = true;
      await overlay.publish?.(readFileSync(overlay.file, 'utf8'));
    } catch (err) {
      if (err instanceof InputError) return fail(res, err.status, err.reason, err.message);
      // The configuration refused the change, or it could not be shared: put the overlay back as it was.
      if (before !== undefined) writeFileSync(overlay.file, before, { mode: 0o600 });
      else rmSync(overlay.file, { force: true });
      if (applied) d.sla.ctx.setConfig(overlay.reload());
      if (err instanceof ConfigError) return fail(res, 400, 'invalid_config', err.message, err.field);
      throw err;
    }
    await d.engine.deps.conversations.audit(principal(res).actor, 'config.role-contact', id, d.clock.now());
    const role = d.sla.ctx.roles.get(id)!;
    res.json({ role: { id, email: role.email ?? null, phone: role.phone ?? null } });
  });
  return r;
}
