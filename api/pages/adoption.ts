import { Router } from 'express';
import type { Database } from '../../prisma/database';
import { type AdoptionCell, adoptionMatrix } from '../../reports/process-library';
import { allow } from '../auth';
import { escapeHtml } from '../html';
import { requireSignIn } from '../sessions';
import { lagBadge } from './process-library';
import { signedInPage } from './layout';

function cellHtml(cell: AdoptionCell | undefined): string {
  if (!cell) return '<td class="muted">n/a</td>';
  const version = cell.version === null ? 'not adopted' : `v${cell.version}`;
  const tailored = cell.tailored ? ' <span class="muted">tailored</span>' : '';
  return `<td>${version} ${lagBadge(cell.lag, cell.waived)}${tailored}</td>`;
}

/** The units × processes matrix: which version each unit runs and how far behind it is, at a glance [SG3.SP2]. */
export function adoptionPageRoutes({ db }: { db: Database }): Router {
  const router = Router();

  router.get('/adoption', requireSignIn, allow('processes:read'), async (req, res) => {
    const matrix = await adoptionMatrix(db);
    const cells = matrix.units.flatMap((unit) => unit.cells);
    const current = cells.filter((cell) => cell.lag === 0).length;
    const behind = cells.filter((cell) => !cell.waived && (cell.lag ?? 0) > 0).length;
    const waived = cells.filter((cell) => cell.waived).length;
    const head = matrix.processes.map((process) => `<th scope="col"><a href="/processes/${process.id}">${escapeHtml(process.name)}</a><br><span class="muted">${process.currentVersion === null ? 'no version yet' : `current v${process.currentVersion}`}</span></th>`).join('');
    const rows = matrix.units
      .map((unit) => `<tr><th scope="row"><a href="/units/${unit.id}">${escapeHtml(unit.name)}</a></th>${matrix.processes.map((process) => cellHtml(unit.cells.find((cell) => cell.processId === process.id))).join('')}</tr>`)
      .join('');
    const body =
      matrix.processes.length === 0 || matrix.units.length === 0
        ? '<p class="muted">No standard process or no unit yet.</p>'
        : `<ul class="counts"><li><strong>${current}</strong>on the current version</li><li><strong>${behind}</strong>behind</li><li><strong>${waived}</strong>waived</li></ul>
<div class="table-wrap"><table><caption class="muted">Each unit's version of each standard process that applies to it (n/a: does not apply)</caption>
<thead><tr><th scope="col">Unit</th>${head}</tr></thead><tbody>${rows}</tbody></table></div>`;
    res.type('html').send(signedInPage(req, 'Adoption of the standard processes', body));
  });

  return router;
}
