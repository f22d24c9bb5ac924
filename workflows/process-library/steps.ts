// The human steps of adopting a published version: what is asked, the outcomes and their fields.
// Pure and deterministic: imported by workflow code, and by the API's decision pages.
import type { FieldProblem } from '../improvement/decision-fields';
import type { StepSpec } from '../improvement/steps';

export const adoptionSteps = {
  'version-adoption': {
    title: 'Adopt the new version of a standard process in your unit',
    ask: 'A new version of a standard process your unit runs is published. Confirm adoption, record how you tailored it, or request a waiver until a date.',
    outcomes: [
      { name: 'adopt', label: 'Confirm adoption', fields: [{ name: 'comment', label: 'Comment', type: 'textarea', required: false }] },
      { name: 'tailor', label: 'Adopt with tailoring', fields: [{ name: 'tailoring', label: 'How the unit tailored it', type: 'textarea', required: true }] },
      {
        name: 'waiver',
        label: 'Request a waiver',
        fields: [
          { name: 'reason', label: 'Why the unit should be exempt', type: 'textarea', required: true },
          { name: 'expiresAt', label: 'Waiver until', type: 'date', required: true, help: 'YYYY-MM-DD; adoption reopens then' },
        ],
      },
    ],
  },
  'version-waiver': {
    title: 'Grant or refuse a waiver from a standard process',
    ask: 'An organisational unit requests a waiver from the new version of a standard process, until a date. Grant or refuse it.',
    outcomes: [
      { name: 'grant', label: 'Grant waiver', fields: [{ name: 'comment', label: 'Comment', type: 'textarea', required: false }] },
      { name: 'refuse', label: 'Refuse waiver', fields: [{ name: 'reason', label: 'Reason', type: 'textarea', required: true }] },
    ],
  },
} satisfies Record<string, StepSpec>;

export type AdoptionStep = keyof typeof adoptionSteps;

const isoDate = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;

function checkField(type: string, value: unknown, now: number): { value?: unknown; problem?: string } {
  if (typeof value !== 'string') return { problem: 'must be text' };
  if (type !== 'date') return value.length > 20_000 ? { problem: 'is too long (20,000 characters at most)' } : { value: value.trim() };
  if (!isoDate.test(value) || Number.isNaN(Date.parse(value))) return { problem: 'must be a date, YYYY-MM-DD (or an ISO 8601 date-time)' };
  // A date alone means the end of that day (UTC): the waiver holds through it.
  const at = value.length === 10 ? Date.parse(`${value}T23:59:59.999Z`) : Date.parse(value);
  if (at <= now) return { problem: 'must be in the future' };
  return { value: new Date(at).toISOString() };
}

/** Checks a decision on an adoption step; returns the cleaned fields, or the problems by field. */
export function validateAdoptionDecision(
  step: AdoptionStep,
  outcome: string,
  fields: Record<string, unknown>,
  now: number,
): { ok: true; fields: Record<string, unknown> } | { ok: false; problems: FieldProblem[] } {
  const spec: StepSpec = adoptionSteps[step];
  const chosen = spec.outcomes.find((candidate) => candidate.name === outcome);
  if (!chosen) return { ok: false, problems: [{ field: 'outcome', message: `must be one of ${spec.outcomes.map((candidate) => candidate.name).join(', ')}` }] };
  const problems: FieldProblem[] = [];
  const cleaned: Record<string, unknown> = {};
  for (const field of chosen.fields) {
    const value = fields[field.name];
    if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
      if (field.required) problems.push({ field: `fields.${field.name}`, message: `${field.label.toLowerCase()} is required` });
      continue;
    }
    const checked = checkField(field.type, value, now);
    if (checked.problem) problems.push({ field: `fields.${field.name}`, message: checked.problem });
    else cleaned[field.name] = checked.value;
  }
  for (const name of Object.keys(fields)) {
    if (!chosen.fields.some((field) => field.name === name)) problems.push({ field: `fields.${name}`, message: `is not a field of "${outcome}"` });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, fields: cleaned };
}
