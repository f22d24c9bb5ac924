import { Router } from 'express';
import { z } from 'zod';
import type { Client } from '@temporalio/client';
import type { Database } from '../../prisma/database';
import { adoptionMatrix, libraryList, processView, versionView } from '../../reports/process-library';
import { allow } from '../auth';
import { AppError, parse } from '../errors';
import { emailAddress, freeText } from '../input-fields';
import { draftProcessVersion, registerProcess } from '../use-cases/process-library';
import { deploymentHistory, publishVersion } from '../use-cases/process-deployment';

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

export const versionParams = z.strictObject({ id: z.uuid(), number: z.coerce.number().int().min(1).max(100_000) });

const isoDate = () => z.union([z.iso.date(), z.iso.datetime({ offset: true })]);

/** Publishing a version: when it takes effect, and its deployment plan [SG3.SP2 sp3]. */
export const publishVersionSchema = z.strictObject({
  effectiveFrom: z.iso.datetime({ offset: true }).optional(),
  plan: z
    .strictObject({
      startsAt: isoDate().optional(),
      adoptBy: isoDate().optional(),
      material: z.array(freeText(1, 2_000)).max(50).optional(),
      contact: emailAddress().transform((email) => email.toLowerCase()).optional(),
    })
    .optional(),
});

/** The process asset library [SG3.SP1]: the ORPG keeps it, everyone signed in reads it. */
export function processRoutes({ db, temporal, taskQueue }: { db: Database; temporal: Client; taskQueue: string }): Router {
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

  /** The history of each version's deployment, newest version first: started, units asked, adopted, tailored, waived, superseded. */
  router.get('/:id/deployments', allow('processes:read'), async (req, res) => {
    const { id } = parse(processParams, req.params, 'params');
    const process = await db.standardProcess.findUnique({ where: { id }, select: { id: true } });
    if (!process) throw new AppError('not_found', 404, `id: no standard process ${id}`);
    res.json({ items: await deploymentHistory(db, id) });
  });

  /** Approves and publishes a version (ORPG): it becomes current, and its deployment asks every unit on the process to adopt it. */
  router.post('/:id/versions/:number/publish', allow('processes:publish'), async (req, res) => {
    const { id, number } = parse(versionParams, req.params, 'params');
    const body = parse(publishVersionSchema, req.body ?? {}, 'body');
    const published = await publishVersion({ db, temporal, taskQueue }, req, { processId: id, number, ...body });
    res.json({
      version: versionView(published.version),
      superseded: published.superseded ? versionView(published.superseded) : null,
      deploymentWorkflowId: published.deploymentWorkflowId,
    });
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
