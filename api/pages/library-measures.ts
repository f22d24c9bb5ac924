import type { CsvRow } from '../../reports/csv';
import type { Measures } from '../../reports/read-model';
import { escapeHtml } from '../html';
import { dataTable, when } from './layout';

/** The deployment measures of the process library as CSV rows, by measure name (see measureRows). */
export function libraryDeploymentRows({ libraryDeployments }: Measures): Record<string, CsvRow[]> {
  return {
    'library-deployments': libraryDeployments.versions.map(({ processId: _id, ...version }) => version),
    'library-schedule': libraryDeployments.units.map(({ processId: _process, unitId: _unit, ...unit }) => unit),
    'library-tailoring-waivers': libraryDeployments.processes.map(({ processId: _id, ...process }) => process),
  };
}

const statusBadge: Record<string, string> = { met: 'ok', late: 'late', 'on-track': 'soon', superseded: 'soon', complete: 'ok', open: 'soon' };
const badge = (status: string) => `<span class="badge ${statusBadge[status] ?? ''}">${escapeHtml(status)}</span>`;
const late = (days: number | null) => (days === null ? '—' : `${days} day(s)`);
const figure = (value: number | null, unit = '') => (value === null ? '—' : `${value}${unit}`);

/** The /measures sections of the library's deployments: per version, per unit against the plan, per process. */
export function libraryDeploymentSections({ libraryDeployments }: Measures, csv: (name: string) => string): string[] {
  const versions = libraryDeployments.versions
    .map(
      (version) => `<tr><th scope="row">${escapeHtml(version.process)} v${version.version}</th><td>${when(version.publishedAt)}</td><td>${badge(version.state)}</td>
<td>${version.adopted + version.tailored + version.waived} of ${version.units}</td><td>${version.hoursToEveryUnit === null ? 'open' : `${version.hoursToEveryUnit} h`}</td>
<td>${version.adoptBy ? when(version.adoptBy) : '—'}</td><td>${badge(version.planStatus)}</td><td>${late(version.lateByDays)}</td></tr>`,
    )
    .join('');
  const units = libraryDeployments.units
    .map(
      (unit) => `<tr><th scope="row">${escapeHtml(unit.unitName)}</th><td>${escapeHtml(unit.process)} v${unit.version}</td><td>${escapeHtml(unit.outcome)}</td><td>${when(unit.settledAt) || '—'}</td>
<td>${unit.adoptBy ? when(unit.adoptBy) : '—'}</td><td>${badge(unit.status)}</td><td>${late(unit.lateByDays)}</td></tr>`,
    )
    .join('');
  const processes = libraryDeployments.processes
    .map(
      (process) => `<tr><th scope="row">${escapeHtml(process.process)}</th><td>${process.timesTailored}</td><td>${process.waiverRequests}</td>
<td>${process.waiversGranted} (${figure(process.grantedPercent, '%')})</td><td>${process.waiversRefused} (${figure(process.refusedPercent, '%')})</td></tr>`,
    )
    .join('');
  return [
    `<h2>Deployment of each published version</h2>${dataTable('Per version: publication to every unit adopted, and status against the plan’s adopt-by date', ['Version', 'Published', 'State', 'Units settled', 'To every unit', 'Adopt by', 'Against plan', 'Late by'], versions, 'No version published yet.')}${csv('library-deployments')}`,
    `<h2>Each unit against the deployment plan</h2>${dataTable('Per unit and version: when it settled and whether it met the adopt-by date', ['Unit', 'Version', 'Outcome', 'Settled', 'Adopt by', 'Against plan', 'Late by'], units, 'No unit asked yet.')}${csv('library-schedule')}`,
    `<h2>Tailoring and waivers per process</h2>${dataTable('Times each process was tailored; waivers granted and refused as % of those ruled on', ['Process', 'Times tailored', 'Waivers requested', 'Granted', 'Refused'], processes, 'No version published yet.')}${csv('library-tailoring-waivers')}`,
  ];
}
