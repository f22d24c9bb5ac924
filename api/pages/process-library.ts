import { Router } from 'express';
import type { Database } from '../../prisma/database';
import { libraryList, processView, type ProcessView } from '../../reports/process-library';
import { processVersions, type VersionRecordView } from '../../reports/process-versions';
import { allow } from '../auth';
import { AppError, parse } from '../errors';
import { escapeHtml } from '../html';
import { processParams } from '../routes/processes';
import { requireSignIn } from '../sessions';
import { dataTable, signedInPage, when } from './layout';
import { versionRecords } from './process-versions';

/** How far behind the current version a unit is, as a badge people read at a glance. */
export function lagBadge(lag: number | null, waived = false): string {
  if (waived) return '<span class="badge soon">Waived</span>';
  if (lag === null) return '<span class="muted">no version published</span>';
  if (lag === 0) return '<span class="badge ok">Current</span>';
  return `<span class="badge late">${lag} behind</span>`;
}

const versionLabel = (number: number | null) => (number === null ? 'none' : `v${number}`);

function assetLink(url: string | null): string {
  return url ? `<a href="${escapeHtml(url)}" rel="noopener noreferrer">${escapeHtml(url)}</a>` : '';
}

function versionRows(process: ProcessView): string {
  const statusBadge: Record<string, string> = { published: 'ok', approved: 'soon', draft: 'soon', superseded: 'late' };
  return process.versions
    .map(
      (version) => `<tr><td>v${version.number}</td><td><span class="badge ${statusBadge[version.status] ?? ''}">${escapeHtml(version.status)}</span></td>
<td>${escapeHtml(version.summary)}${version.url ? `<br>${assetLink(version.url)}` : ''}</td><td>${when(version.effectiveFrom)}</td><td>${when(version.publishedAt)}</td>
<td class="optional">${version.improvementId ? `<a href="/improvements/${version.improvementId}">improvement</a>` : '—'}</td></tr>`,
    )
    .join('');
}

function unitRows(process: ProcessView): string {
  return process.units
    .map(
      (unit) => `<tr><th scope="row"><a href="/units/${unit.unitId}">${escapeHtml(unit.unitName)}</a></th><td>${versionLabel(unit.version)}</td><td>${lagBadge(unit.lag, Boolean(unit.waiver))}</td><td>${when(unit.since) || '—'}</td>
<td>${unit.tailoring ? escapeHtml(unit.tailoring) : '<span class="muted">not tailored</span>'}</td>
<td>${unit.waiver ? `${escapeHtml(unit.waiver.reason)}${unit.waiver.expiresAt ? ` <span class="muted">until ${when(unit.waiver.expiresAt)}</span>` : ''}` : '—'}</td></tr>`,
    )
    .join('');
}

function processPage(process: ProcessView, versions: VersionRecordView[]): string {
  const onCurrent = process.units.filter((unit) => unit.lag === 0).length;
  const improvements = process.improvements
    .map((improvement) => `<tr><td><a href="/improvements/${improvement.id}">${escapeHtml(improvement.title)}</a></td><td>${escapeHtml(improvement.stage)}</td><td>${escapeHtml(improvement.status)}</td><td>${versionLabel(improvement.producedVersion)}</td></tr>`)
    .join('');
  return `<dl><dt>Owner</dt><dd>${escapeHtml(process.owner)}</dd><dt>Purpose</dt><dd>${escapeHtml(process.purpose) || '—'}</dd>
<dt>Current version</dt><dd>${versionLabel(process.currentVersion)}</dd>
<dt>Asset</dt><dd>${assetLink(process.url) || (process.content ? `<div style="white-space:pre-wrap">${escapeHtml(process.content)}</div>` : '—')}</dd>
<dt>Tailoring guidelines</dt><dd>${escapeHtml(process.tailoringGuidelines) || '—'}</dd></dl>
<h2>Units</h2><p>${onCurrent} of ${process.units.length} unit(s) on the current version.</p>
${dataTable('Every unit the process applies to: the version it runs, its lag, tailoring and waiver', ['Unit', 'Version', 'Lag', 'Since', 'Tailoring', 'Waiver'], unitRows(process), 'The process applies to no unit yet.')}
<h2>Versions</h2>${dataTable('Drafts, approvals and publications', ['Version', 'Status', 'Change summary', 'Effective from', 'Published', 'From'], versionRows(process), 'No version yet.')}
<h2>By version: deployments, lessons learned, tailoring</h2>${versionRecords(versions, process)}
<h2>Improvements</h2>${dataTable('Improvements that change this process', ['Improvement', 'Stage', 'Status', 'Produced'], improvements, 'No improvement names this process yet.')}`;
}

/** The process asset library and each process's page, for everyone signed in [SG3.SP1]. */
export function processLibraryPageRoutes({ db }: { db: Database }): Router {
  const router = Router();

  router.get('/processes', requireSignIn, allow('processes:read'), async (req, res) => {
    const rows = (await libraryList(db))
      .map(
        (process) => `<tr><th scope="row"><a href="/processes/${process.id}">${escapeHtml(process.name)}</a></th><td>${escapeHtml(process.owner)}</td><td>${versionLabel(process.currentVersion)}</td>
<td>${process.unitsOnCurrent} of ${process.units}</td><td class="optional">${escapeHtml(process.purpose)}${process.url ? `<br>${assetLink(process.url)}` : ''}</td></tr>`,
      )
      .join('');
    res.type('html').send(
      signedInPage(
        req,
        'Process asset library',
        `<p class="muted">The organisation's standard processes, their current versions and how many units run them. See the <a href="/adoption">adoption matrix</a> for every unit.</p>
${dataTable('Standard processes', ['Process', 'Owner', 'Current version', 'Units on it', 'Purpose'], rows, 'The library is empty: the ORPG adds processes with POST /api/processes.')}`,
      ),
    );
  });

  router.get('/processes/:id', requireSignIn, allow('processes:read'), async (req, res) => {
    const { id } = parse(processParams, req.params, 'params');
    const process = await processView(db, id);
    if (!process) throw new AppError('not_found', 404, `id: no standard process ${id}`);
    res.type('html').send(signedInPage(req, process.name, processPage(process, await processVersions(db, id))));
  });

  return router;
}
