import type { ProcessView } from '../../reports/process-library';
import type { VersionRecordView } from '../../reports/process-versions';
import { escapeHtml } from '../html';
import { dataTable, when } from './layout';

const statusBadge: Record<string, string> = { published: 'ok', approved: 'soon', draft: 'soon', superseded: 'late' };
const stateText: Record<string, string> = { open: 'deploying', complete: 'every unit adopted, tailored or waived', superseded: 'superseded before every unit adopted' };

function deployment(version: VersionRecordView): string {
  const { deployment: counts } = version;
  if (!counts) return version.publishedAt ? '<p class="muted">No unit asked to adopt it.</p>' : '<p class="muted">Not published: not deployed.</p>';
  const plan = version.adoptBy ? ` Adopt by ${escapeHtml(version.adoptBy)}.` : '';
  const summary = `<p><strong>${escapeHtml(stateText[counts.state] ?? counts.state)}</strong>: ${counts.units} unit(s) asked, ${counts.adopted} adopted, ${counts.tailored} tailored, ${counts.waived} waived, ${counts.pending} waiting${counts.superseded ? `, ${counts.superseded} superseded` : ''}.${plan}</p>`;
  const rows = version.openTasks
    .map(
      (task) => `<tr><th scope="row">${escapeHtml(task.unitName)}</th><td>${escapeHtml(task.step)}</td><td>${escapeHtml(task.assignee)}${task.onBehalfOf ? ` <span class="muted">for ${escapeHtml(task.onBehalfOf)}</span>` : ''}</td>
<td>${when(task.dueAt)}${task.escalationLevel > 0 ? ' <span class="badge late">escalated</span>' : ''}</td></tr>`,
    )
    .join('');
  return summary + dataTable(`Open adoption tasks of version ${version.number}`, ['Unit', 'Task', 'Assignee', 'Due'], rows, 'No open adoption task.');
}

function lessons(version: VersionRecordView, process: ProcessView): string {
  const fromImprovements = process.improvements.filter((improvement) => improvement.lessons && improvement.producedVersion === version.number);
  const producedBy = version.improvement
    ? ` <span class="muted">from <a href="/improvements/${version.improvement.id}">${escapeHtml(version.improvement.title ?? 'the improvement')}</a></span>`
    : '';
  const items = [
    ...(version.lessons ? [`<li>${escapeHtml(version.lessons)}${producedBy}</li>`] : []),
    ...fromImprovements.map(
      (improvement) => `<li><a href="/improvements/${improvement.id}">${escapeHtml(improvement.title)}</a>: ${escapeHtml(improvement.lessons!)}${improvement.measuredEffect ? ` <span class="muted">(measured: ${escapeHtml(improvement.measuredEffect)})</span>` : ''}</li>`,
    ),
  ];
  if (items.length === 0 && version.improvement) return `<p>Produced by <a href="/improvements/${version.improvement.id}">${escapeHtml(version.improvement.title ?? 'an improvement')}</a>; no lessons recorded.</p>`;
  return items.length > 0 ? `<ul>${items.join('')}</ul>` : '<p class="muted">No lessons recorded.</p>';
}

function tailoring(version: VersionRecordView): string {
  const rows = version.tailoring
    .map((record) => `<tr><th scope="row">${escapeHtml(record.unitName)}</th><td style="white-space:pre-wrap">${escapeHtml(record.tailoring)}</td><td>${record.by ? escapeHtml(record.by) : '<span class="muted">carried over</span>'}${record.at ? `, ${when(record.at)}` : ''}</td></tr>`)
    .join('');
  return dataTable(`Units that tailored version ${version.number}, and how`, ['Unit', 'How it tailored the version', 'Recorded'], rows, 'No unit tailored it.');
}

/** The process page's record of each version, newest first: deployment, lessons learned and tailoring [SG3.SP2, SG3.SP4]. */
export function versionRecords(versions: readonly VersionRecordView[], process: ProcessView): string {
  const pending = process.improvements.filter((improvement) => improvement.lessons && improvement.producedVersion === null);
  const sections = versions.map(
    (version) => `<section aria-labelledby="version-${version.number}"><h3 id="version-${version.number}">Version ${version.number} <span class="badge ${statusBadge[version.status] ?? ''}">${escapeHtml(version.status)}</span></h3>
<p>${escapeHtml(version.summary)}${version.publishedAt ? ` <span class="muted">published ${when(version.publishedAt)}</span>` : ''}</p>
<h4>Deployment</h4>${deployment(version)}<h4>Lessons learned</h4>${lessons(version, process)}<h4>Tailoring</h4>${tailoring(version)}</section>`,
  );
  const notYet = pending.length
    ? `<section aria-labelledby="lessons-pending"><h3 id="lessons-pending">Lessons not yet in a version</h3><ul>${pending.map((improvement) => `<li><a href="/improvements/${improvement.id}">${escapeHtml(improvement.title)}</a>: ${escapeHtml(improvement.lessons!)}</li>`).join('')}</ul></section>`
    : '';
  return sections.length > 0 || notYet ? sections.join('') + notYet : '<p class="muted">No version yet.</p>';
}
