import { randomUUID } from 'node:crypto';
import express, { Router } from 'express';
import { z } from 'zod';
import type { ImprovementState } from '../../workflows/improvement/definitions';
import { type StepName, steps } from '../../workflows/improvement/steps';
import { allow } from '../auth';
import { decideInBulk, type DecisionDeps, decisionIdPattern, submitDecision } from '../use-cases/decide';
import { fieldInput, hiddenInputs, improvementSummary } from '../decision-forms';
import { AppError, parse } from '../errors';
import { escapeHtml } from '../html';
import { isValidPageFormToken, pageFormToken, requireSignIn, sessionCookie } from '../sessions';
import { signedInPage, when } from './layout';

function requestIdOf(req: express.Request): string | undefined {
  return typeof req.id === 'string' ? req.id : undefined;
}

/** Outcomes that need no field: a person may take them on many tasks at once. */
export function bulkOutcomes(step: StepName): { name: string; label: string }[] {
  return steps[step].outcomes.filter((outcome) => outcome.fields.every((field) => !field.required)).map(({ name, label }) => ({ name, label }));
}

/** A person's open tasks across improvements, decided from the page, one by one or in bulk. */
export function myTaskRoutes(deps: DecisionDeps & { appSecret: string }): Router {
  const { db } = deps;
  const router = Router();
  router.use('/my-tasks', express.urlencoded({ extended: false, limit: '100kb', parameterLimit: 500 }));

  const formToken = (req: express.Request) => pageFormToken(deps.appSecret, (req.cookies as Record<string, string>)[sessionCookie]);
  function assertForm(req: express.Request) {
    const token = (req.body as Record<string, unknown>).form_token;
    if (!isValidPageFormToken(deps.appSecret, (req.cookies as Record<string, string>)[sessionCookie], token)) {
      throw new AppError('forbidden', 403, 'form_token: submit the form from the page (reload it and try again)');
    }
  }

  async function myOpenTasks(email: string) {
    return db.task.findMany({
      where: { assignee: email, status: 'open' },
      orderBy: { dueAt: 'asc' },
      include: { improvement: { select: { id: true, title: true } } },
    });
  }

  router.get('/my-tasks', requireSignIn, allow('tasks:decide'), async (req, res) => {
    const tasks = await myOpenTasks(req.caller!.email);
    const now = new Date();
    const bulkNames = new Map<string, string>();
    const rows = tasks
      .map((task) => {
        const bulk = bulkOutcomes(task.step as StepName);
        for (const outcome of bulk) bulkNames.set(outcome.name, outcome.label);
        const checkbox = bulk.length
          ? `<input type="checkbox" name="task" value="${task.id}" id="pick-${task.id}" aria-label="Select ${escapeHtml(steps[task.step as StepName].title)} for ${escapeHtml(task.improvement.title)}">`
          : '';
        return `<tr><td>${checkbox}</td><td><a href="/my-tasks/${task.id}">${escapeHtml(steps[task.step as StepName].title)}</a>${task.onBehalfOf ? ` <span class="muted">for ${escapeHtml(task.onBehalfOf)}</span>` : ''}</td>
<td><a href="/improvements/${task.improvement.id}">${escapeHtml(task.improvement.title)}</a></td><td>${when(task.dueAt)} ${task.dueAt < now ? '<span class="badge late">Overdue</span>' : ''}</td>
<td class="optional">${bulk.map((outcome) => escapeHtml(outcome.label)).join(', ') || '<span class="muted">one by one</span>'}</td></tr>`;
      })
      .join('');
    const bulkControls = bulkNames.size
      ? `<p><label for="bulk-outcome">Decide the selected tasks:</label> <select id="bulk-outcome" name="outcome">${[...bulkNames]
          .map(([name, label]) => `<option value="${escapeHtml(name)}">${escapeHtml(label)}</option>`)
          .join('')}</select> <button type="submit">Apply to selected</button></p>`
      : '';
    res.type('html').send(
      signedInPage(
        req,
        'My tasks',
        tasks.length
          ? `<form method="post" action="/my-tasks/bulk">${hiddenInputs({ form_token: formToken(req), decision_id: randomUUID() })}<div class="table-wrap"><table><thead><tr><th scope="col"><span class="muted">Select</span></th><th scope="col">Task</th><th scope="col">Improvement</th><th scope="col">Due</th><th scope="col" class="optional">Bulk decisions</th></tr></thead><tbody>${rows}</tbody></table></div>${bulkControls}</form>`
          : '<p>You have no open tasks.</p>',
      ),
    );
  });

  router.post('/my-tasks/bulk', requireSignIn, allow('tasks:decide'), async (req, res) => {
    assertForm(req);
    const body = parse(
      z.object({
        task: z.union([z.uuid(), z.array(z.uuid()).max(200)]),
        outcome: z.string().min(1).max(50),
        form_token: z.string(),
        decision_id: z.string().regex(decisionIdPattern).optional(),
      }),
      req.body,
      'body',
    );
    const outcomes = await decideInBulk(deps, {
      taskIds: [body.task].flat(),
      actor: req.caller!.email,
      outcome: body.outcome,
      decisionId: body.decision_id,
      requestId: requestIdOf(req),
    });
    const results = outcomes.map((done) => `<li>${escapeHtml(done.taskId)}: ${done.result}${'reason' in done ? ` — ${escapeHtml(done.reason)}` : ''}</li>`);
    res.type('html').send(signedInPage(req, 'Bulk decision', `<ul role="status">${results.join('')}</ul><p><a href="/my-tasks">Back to my tasks</a></p>`));
  });

  async function taskOf(req: express.Request) {
    const { id } = parse(z.strictObject({ id: z.uuid() }), req.params, 'params');
    const task = await db.task.findUnique({ where: { id }, include: { improvement: true } });
    if (!task || task.assignee !== req.caller!.email) throw new AppError('not_found', 404, `id: you have no task ${id}`);
    return task;
  }

  function taskForm(req: express.Request, task: Awaited<ReturnType<typeof taskOf>>, notice = '', values: Record<string, string> = {}) {
    const spec = steps[task.step as StepName];
    const forms = spec.outcomes
      .map(
        (outcome) =>
          `<form method="post" action="/my-tasks/${task.id}">${hiddenInputs({ form_token: formToken(req), decision_id: randomUUID(), outcome: outcome.name })}<fieldset><legend>${escapeHtml(outcome.label)}</legend>` +
          outcome.fields.map((field) => `<p>${fieldInput(field, `${outcome.name}-${field.name}`, values[field.name] ?? '')}</p>`).join('') +
          `<button type="submit">${escapeHtml(outcome.label)}</button></fieldset></form>`,
      )
      .join('');
    return signedInPage(
      req,
      spec.title,
      `${notice}<p>${escapeHtml(spec.ask)}</p>${improvementSummary(task.improvement.details as Partial<ImprovementState>, task.improvement.title)}<p>Due ${when(task.dueAt)}.</p>${task.status === 'open' ? forms : `<p role="status">This task is ${escapeHtml(task.status)}.</p>`}`,
    );
  }

  router.get('/my-tasks/:id', requireSignIn, allow('tasks:decide'), async (req, res) => {
    res.type('html').send(taskForm(req, await taskOf(req)));
  });

  router.post('/my-tasks/:id', requireSignIn, allow('tasks:decide'), async (req, res) => {
    assertForm(req);
    const task = await taskOf(req);
    const { outcome = '', form_token: _token, decision_id: decisionId, ...fields } = req.body as Record<string, string>;
    try {
      const receipt = await submitDecision(deps, {
        taskId: task.id,
        actor: req.caller!.email,
        outcome,
        fields,
        channel: 'web',
        via: 'page',
        decisionId: decisionId && decisionIdPattern.test(decisionId) ? decisionId : undefined,
        requestId: requestIdOf(req),
      });
      res.redirect(303, `/improvements/${task.improvementId}?decided=${receipt.status}`);
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      const notice = `<div role="alert"><p><strong>Your decision was not recorded:</strong> ${escapeHtml(error.message)}</p></div>`;
      res.status(error.status).type('html').send(taskForm(req, task, notice, fields));
    }
  });

  return router;
}
