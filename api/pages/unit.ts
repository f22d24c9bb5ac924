import { Router } from 'express';
import type { Database } from '../../prisma/database';
import { unitView } from '../../reports/process-library';
import { allow } from '../auth';
import { AppError, parse } from '../errors';
import { escapeHtml } from '../html';
import { orgUnitParams } from '../routes/org-units';
import { requireSignIn } from '../sessions';
import { dataTable, signedInPage, when } from './layout';
import { lagBadge } from './process-library';

/** One organisational unit: the standard processes that apply to it and the version of each it runs [SG3.SP2]. */
export function unitPageRoutes({ db }: { db: Database }): Router {
  const router = Router();

  router.get('/units/:id', requireSignIn, allow('org-units:read'), async (req, res) => {
    const { id } = parse(orgUnitParams, req.params, 'params');
    const unit = await unitView(db, id);
    if (!unit) throw new AppError('not_found', 404, `id: no organisational unit ${id}`);
    const rows = unit.processes
      .map(
        (process) => `<tr><th scope="row"><a href="/processes/${process.processId}">${escapeHtml(process.processName)}</a></th>
<td>${process.version === null ? 'none' : `v${process.version}`}</td><td>${process.currentVersion === null ? '—' : `v${process.currentVersion}`}</td><td>${lagBadge(process.lag, Boolean(process.waiver))}</td>
<td>${when(process.since) || '—'}</td><td>${process.tailoring ? escapeHtml(process.tailoring) : '<span class="muted">not tailored</span>'}</td>
<td>${process.waiver ? `${escapeHtml(process.waiver.reason)}${process.waiver.expiresAt ? ` <span class="muted">until ${when(process.waiver.expiresAt)}</span>` : ''}` : '—'}</td></tr>`,
      )
      .join('');
    res.type('html').send(
      signedInPage(
        req,
        unit.name,
        `<dl><dt>Manager</dt><dd>${escapeHtml(unit.manager)}</dd></dl>
<h2>Standard processes</h2>${dataTable('The processes that apply to this unit and the version of each it runs', ['Process', 'Runs', 'Current', 'Lag', 'Since', 'Tailoring', 'Waiver'], rows, 'No standard process applies to this unit yet.')}`,
      ),
    );
  });

  return router;
}
