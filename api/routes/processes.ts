import { Router } from 'express';
import { z } from 'zod';
import type { Database } from '../../prisma/database';
import { adoptionMatrix, libraryList, processView, versionView } from '../../reports/process-library';
import { allow } from '../auth';
import { AppError, parse } from '../errors';
import { emailAddress, freeText } from '../input-fields';
import { draftProcessVersion, registerProcess } from '../use-cases/process-library';

/** A link to a process asset: http or https, no spaces (nor the NUL character `parse` refuses everywhere). */
// eslint-disable-next-line no-control-regex -- the document's pattern must exclude NUL as `parse` does
export const assetUrl = () => z.string().max(2_000).regex(/^https?:\/\/[^\s\u0000]+$/, 'must be an http(s) URL');

export const newProcessSchema = z.strictObject({
  name: freeText(1, 200),
  owner: emailAddress().transform((email) => email.toLowerCase()),
  purpose: freeText(0, 5_000).optional(),
  content: freeText(0, 50_000).optional(),
  url: assetUrl().optional(),
  tailoringGuidelines: freeText(0, 20_000).optional(),
});

export const newVersionSchema = z.strictObject({
  summary: freeText(1, 5_000),
  content: freeText(0, 50_000).optional(),
  url: assetUrl().optional(),
  effectiveFrom: z.iso.datetime({ offset: true }).optional(),
});

export const processParams = z.strictObject({ id: z.uuid() });

/** The process asset library [SG3.SP1]: the ORPG keeps it, everyone signed in reads it. */
export function processRoutes({ db }: { db: Database }): Router {
  const router = Router();

  /** Adds a standard process (no version yet: its first is drafted, approved and published). */
  router.post('/', allow('processes:write'), async (req, res) => {
    const body = parse(newProcessSchema, req.body, 'body');
    const created = await registerProcess({ db }, req, { ...body, ownerEmail: body.owner });
    const view = await processView(db, created.id);
    res.status(201).location(`/api/processes/${created.id}`).json(view);
  });

  /** Every standard process with its current version and how many units run it. */
  router.get('/', allow('processes:read'), async (_req, res) => {
    res.json({ items: await libraryList(db) });
  });

  /** One process: its versions, each unit's version, lag, tailoring and waiver, and its improvements' lessons. */
  router.get('/:id', allow('processes:read'), async (req, res) => {
    const { id } = parse(processParams, req.params, 'params');
    const view = await processView(db, id);
    if (!view) throw new AppError('not_found', 404, `id: no standard process ${id}`);
    res.json(view);
  });

  /** Drafts the next version; its approval and publication are steps of their own. */
  router.post('/:id/versions', allow('processes:draft'), async (req, res) => {
    const { id } = parse(processParams, req.params, 'params');
    const body = parse(newVersionSchema, req.body, 'body');
    const version = await draftProcessVersion({ db }, req, { processId: id, ...body });
    res.status(201).location(`/api/processes/${id}`).json(versionView(version));
  });

  return router;
}

/** The units × processes matrix: the version each unit runs and its lag behind the current one [SG3.SP2]. */
export function adoptionRoutes({ db }: { db: Database }): Router {
  const router = Router();
  router.get('/', allow('processes:read'), async (_req, res) => {
    res.json(await adoptionMatrix(db));
  });
  return router;
}
