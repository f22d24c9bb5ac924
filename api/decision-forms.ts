import type { ImprovementState } from '../workflows/improvement/definitions';
import type { FieldSpec } from '../workflows/improvement/steps';
import { escapeHtml } from './html';

/** One form control for a step's field, labelled and described. */
export function fieldInput(field: FieldSpec, id: string, value: string): string {
  const required = field.required ? ' required' : '';
  const help = field.help ? `<small id="${id}-help">${escapeHtml(field.help)}</small>` : '';
  const described = field.help ? ` aria-describedby="${id}-help"` : '';
  const label = `<label for="${id}">${escapeHtml(field.label)}${field.required ? ' (required)' : ''}</label>`;
  switch (field.type) {
    case 'textarea':
    case 'actions':
      return `${label}<textarea id="${id}" name="${field.name}" rows="4"${required}${described}>${escapeHtml(value)}</textarea>${help}`;
    case 'score':
      return `${label}<input id="${id}" name="${field.name}" type="number" min="1" max="5" value="${escapeHtml(value)}"${required}${described}>${help}`;
    case 'date':
      return `${label}<input id="${id}" name="${field.name}" type="date" value="${escapeHtml(value)}"${required}${described}>${help}`;
    case 'boolean':
      return `${label}<select id="${id}" name="${field.name}"${required}><option value="">Choose…</option><option value="yes">Yes</option><option value="no">No</option></select>`;
    default:
      return `${label}<input id="${id}" name="${field.name}" type="text" value="${escapeHtml(value)}"${required}${described}>${help}`;
  }
}

export function hiddenInputs(values: Record<string, string>): string {
  return Object.entries(values)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('');
}

/** The improvement's context a decider needs. */
export function improvementSummary(details: Partial<ImprovementState> | null, title: string): string {
  const proposal = details?.proposal;
  const rows: [string, string | undefined][] = [
    ['Improvement', title],
    ['Standard process', proposal?.process],
    ['Source', proposal?.source],
    ['Problem', proposal?.description],
    ['Proposed change', proposal?.proposedChange],
    ['Expected benefit', proposal?.expectedBenefit],
    ['Priority', details?.priority?.toString()],
    ['Proposer', details?.proposerEmail],
    ['Process owner', details?.processOwnerEmail],
  ];
  return summaryList(rows);
}

/** Named values as a definition list, leaving out those without a value. */
export function summaryList(rows: [string, string | null | undefined][]): string {
  return `<dl>${rows
    .filter(([, value]) => value)
    .map(([name, value]) => `<dt>${name}</dt><dd>${escapeHtml(value ?? '')}</dd>`)
    .join('')}</dl>`;
}

