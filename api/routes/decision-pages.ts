import express, { Router } from 'express';
import { type DecisionLinkClaims, verifyDecisionLink } from '../../decision-links';
import type { Database } from '../../prisma/database';
import type { ImprovementState } from '../../workflows/improvement/definitions';
import { type FieldSpec, type StepName, steps } from '../../workflows/improvement/steps';
import { type DecisionDeps, describeClosedTask, submitDecision } from '../decisions';
import { AppError } from '../errors';
import { escapeHtml, page } from '../html';

type TaskRow = NonNullable<Awaited<ReturnType<Database['task']['findUnique']>>>;

function fieldInput(field: FieldSpec, id: string, value: string): string {
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

function decisionForms(task: TaskRow, token: string, values: Record<string, string> = {}): string {
  const spec = steps[task.step as StepName];
  return spec.outcomes
    .map((outcome) => {
      const fields = outcome.fields
        .map((field) => `<p>${fieldInput(field, `${outcome.name}-${field.name}`, values[`${outcome.name}.${field.name}`] ?? '')}</p>`)
        .join('');
      return (
        `<form method="post" action="/decide/${escapeHtml(token)}" class="outcome">` +
        `<input type="hidden" name="outcome" value="${outcome.name}"><fieldset><legend>${escapeHtml(outcome.label)}</legend>` +
        `${fields}<button type="submit">${escapeHtml(outcome.label)}</button></fieldset></form>`
      );
    })
    .join('');
}

function improvementSummary(details: Partial<ImprovementState> | null, title: string): string {
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
  return `<dl>${rows
    .filter(([, value]) => value)
    .map(([name, value]) => `<dt>${name}</dt><dd>${escapeHtml(value ?? '')}</dd>`)
    .join('')}</dl>`;
}

function deadLinkPage(message: string, status = 410): { status: number; html: string } {
  return { status, html: page('Link no longer works', `<h1>This link no longer works</h1><p role="alert">${escapeHtml(message)}.</p>`) };
}

/** The pages behind emailed decision links: GET shows the task (changing nothing), POST decides. */
export function decisionPageRoutes(deps: DecisionDeps & { appSecret: string }): Router {
  const router = Router();
  router.use(express.urlencoded({ extended: false, limit: '100kb' }));

  async function openTaskFor(token: string): Promise<{ claims: DecisionLinkClaims; task: TaskRow } | { status: number; html: string }> {
    const check = verifyDecisionLink(token, deps.appSecret);
    if (!check.valid) {
      if (check.reason === 'expired') return deadLinkPage(`It expired on ${check.claims?.expiresAt.toUTCString() ?? 'an earlier date'}`);
      return deadLinkPage('It is not a valid decision link (it may have been altered or cut short when copied)', 400);
    }
    const task = await deps.db.task.findUnique({ where: { id: check.claims.taskId } });
    if (!task) return deadLinkPage('The task it points to does not exist', 404);
    if (task.assignee.toLowerCase() !== check.claims.assignee.toLowerCase()) {
      return deadLinkPage(`The task was reassigned to someone else; ${check.claims.assignee} can no longer decide it`);
    }
    if (task.status !== 'open') return deadLinkPage(describeClosedTask(task).replace(/^this/, 'This'));
    return { claims: check.claims, task };
  }

  async function taskPage(task: TaskRow, token: string, notice = '', values: Record<string, string> = {}): Promise<string> {
    const improvement = await deps.db.improvement.findUnique({ where: { id: task.improvementId } });
    const spec = steps[task.step as StepName];
    return page(
      spec.title,
      `<h1>${escapeHtml(spec.title)}</h1>${notice}<p>${escapeHtml(spec.ask)}</p>` +
        improvementSummary(improvement?.details as Partial<ImprovementState> | null, improvement?.title ?? '') +
        `<p>Assigned to <strong>${escapeHtml(task.assignee)}</strong>, due ${escapeHtml(task.dueAt.toUTCString())}.</p>` +
        decisionForms(task, token, values),
    );
  }

  /** Shows the task and its decision forms. Never decides anything. */
  router.get('/:token', async (req, res) => {
    const found = await openTaskFor(req.params.token);
    if ('html' in found) {
      res.status(found.status).type('html').send(found.html);
      return;
    }
    res.set('Cache-Control', 'no-store').type('html').send(await taskPage(found.task, req.params.token));
  });

  /** Decides the task with the submitted form. */
  router.post('/:token', async (req, res) => {
    const found = await openTaskFor(req.params.token);
    if ('html' in found) {
      res.status(found.status).type('html').send(found.html);
      return;
    }
    const form = (req.body ?? {}) as Record<string, string>;
    const { outcome = '', ...fields } = form;
    try {
      const receipt = await submitDecision(deps, {
        taskId: found.task.id,
        actor: found.claims.assignee,
        outcome,
        fields,
        channel: 'email-link',
      });
      const label = steps[found.task.step as StepName].outcomes.find((candidate) => candidate.name === outcome)?.label ?? outcome;
      const message =
        receipt.status === 'applied'
          ? `Your decision "${label}" is recorded. The improvement is now in its ${receipt.stage} stage.`
          : `Your decision "${label}" was received. It will be applied as soon as the service catches up; nothing more is needed from you.`;
      res.status(receipt.status === 'applied' ? 200 : 202).type('html').send(page('Decision recorded', `<h1>Thank you</h1><p role="status">${escapeHtml(message)}</p>`));
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      const values = Object.fromEntries(Object.entries(fields).map(([name, value]) => [`${outcome}.${name}`, String(value)]));
      const notice = `<div role="alert"><p><strong>Your decision was not recorded:</strong> ${escapeHtml(error.message)}</p></div>`;
      res.status(error.status).type('html').send(await taskPage(found.task, req.params.token, notice, values));
    }
  });

  return router;
}
