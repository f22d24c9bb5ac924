// Checks a decision's outcome and fields against its step's definition (steps.ts). Pure and
// deterministic: the workflow's validator and the API's precheck both call validateDecision.
import { durationPattern } from './definitions';
import { type FieldSpec, type StepName, type StepSpec, steps } from './steps';

/** A field a decision got wrong: its name and what is wrong with it. */
export interface FieldProblem {
  field: string;
  message: string;
}

// eslint-disable-next-line no-control-regex -- a NUL character is exactly what this looks for
const unstorable = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const isoDate = /^\d{4}-\d{2}-\d{2}$/;
const isoDateOrTime = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;
const email = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/** Parses "title | owner | YYYY-MM-DD" lines, or accepts an array of {title, owner, due}. */
export function parseActions(value: unknown): { title: string; owner: string; due: string }[] | string {
  const rows: unknown[] =
    typeof value === 'string'
      ? value
          .split('\n')
          .map((line) => line.trim())
          .filter(Boolean)
          .map((line) => {
            const [title, owner, due] = line.split('|').map((part) => part.trim());
            return { title, owner, due };
          })
      : Array.isArray(value)
        ? value
        : [];
  if (rows.length === 0) return 'at least one action is needed';
  const actions: { title: string; owner: string; due: string }[] = [];
  for (const [index, row] of rows.entries()) {
    const { title, owner, due } = (row ?? {}) as Record<string, unknown>;
    if (typeof title !== 'string' || !title) return `action ${index + 1}: a title is needed`;
    if (typeof owner !== 'string' || !email.test(owner)) return `action ${index + 1}: the owner must be an email address`;
    if (typeof due !== 'string' || !(isoDate.test(due) || durationPattern.test(due))) {
      return `action ${index + 1}: the due date must be YYYY-MM-DD (or a duration such as 5bd)`;
    }
    actions.push({ title, owner: owner.toLowerCase(), due });
  }
  return actions;
}

function parseList(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String).map((item) => item.trim()).filter(Boolean);
  if (typeof value === 'string') return value.split(',').map((item) => item.trim()).filter(Boolean);
  return [];
}

function checkField(spec: FieldSpec, value: unknown): { value?: unknown; problem?: string } {
  if (isBlank(value) || (spec.type === 'list' && parseList(value).length === 0)) {
    return spec.required ? { problem: `${spec.label.toLowerCase()} is required` } : {};
  }
  switch (spec.type) {
    case 'text':
    case 'textarea':
      if (typeof value !== 'string') return { problem: 'must be text' };
      if (unstorable.test(value)) return { problem: 'contains a NUL character or invalid Unicode' };
      if (value.length > 20_000) return { problem: 'is too long (20,000 characters at most)' };
      return { value: value.trim() };
    case 'score': {
      const number = typeof value === 'string' ? Number(value) : value;
      if (typeof number !== 'number' || !Number.isInteger(number) || number < 1 || number > 5) {
        return { problem: 'must be a whole number from 1 to 5' };
      }
      return { value: number };
    }
    case 'date':
      if (typeof value !== 'string' || !isoDateOrTime.test(value) || Number.isNaN(Date.parse(value))) {
        return { problem: 'must be a date, YYYY-MM-DD (or an ISO 8601 date-time)' };
      }
      return { value };
    case 'duration':
      if (typeof value !== 'string' || !durationPattern.test(value)) return { problem: 'must be a duration such as 20bd, 30d or 12h' };
      return { value };
    case 'boolean':
      if (value === true || value === 'true' || value === 'yes' || value === 'on') return { value: true };
      if (value === false || value === 'false' || value === 'no') return { value: false };
      return { problem: 'must be yes or no' };
    case 'actions': {
      const actions = parseActions(value);
      return typeof actions === 'string' ? { problem: actions } : { value: actions };
    }
    case 'list':
      return { value: parseList(value) };
  }
}

/**
 * Checks a decision's outcome and fields against its step; returns the cleaned fields, or the
 * problems, each naming its field. Unknown fields are refused.
 */
export function validateDecision(
  step: StepName,
  outcome: string,
  fields: Record<string, unknown>,
): { ok: true; fields: Record<string, unknown> } | { ok: false; problems: FieldProblem[] } {
  const spec: StepSpec = steps[step];
  const chosen = spec.outcomes.find((candidate) => candidate.name === outcome);
  if (!chosen) {
    return {
      ok: false,
      problems: [{ field: 'outcome', message: `must be one of ${spec.outcomes.map((candidate) => candidate.name).join(', ')}` }],
    };
  }
  const problems: FieldProblem[] = [];
  const cleaned: Record<string, unknown> = {};
  for (const field of chosen.fields) {
    const checked = checkField(field, fields[field.name]);
    if (checked.problem) problems.push({ field: `fields.${field.name}`, message: checked.problem });
    else if (checked.value !== undefined) cleaned[field.name] = checked.value;
  }
  const known = new Set(chosen.fields.map((field) => field.name));
  for (const name of Object.keys(fields)) {
    if (!known.has(name) && !isBlank(fields[name])) {
      problems.push({ field: `fields.${name}`, message: `is not a field of "${outcome}"` });
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, fields: cleaned };
}
