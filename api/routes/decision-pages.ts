import { randomUUID } from 'node:crypto';
import express, { type Request, Router } from 'express';
import { formToken, isValidFormToken } from '../../decision-links';
import { audit } from '../audit';
import { tryAgainIn } from '../code-attempts';
import { type DecisionDeps, type DecisionReceipt, decisionIdPattern, submitDecision } from '../use-cases/decide';
import { AppError, findUnstorableText } from '../errors';
import { fieldInput, hiddenInputs } from '../decision-forms';
import { escapeHtml, page } from '../html';
import { isAdoptionStep, taskContextHtml, taskStepSpec } from '../task-steps';
import { catchUpUnappliedDecision } from '../use-cases/unapplied-decisions';
import { type DecisionLinkDeps, decisionLinkUseCases, type LinkRow, type TaskRow } from '../use-cases/decision-links';

export interface DecisionPageDeps extends DecisionDeps, DecisionLinkDeps {
  /** `email-code`: the decider confirms by a one-time code sent to the assignee's email. */
  confirmation: 'none' | 'email-code';
}

/** How long a rendered decision form may be submitted. */
const formTtlMs = 2 * 3600 * 1000;

function maskEmail(email: string): string {
  const [local = '', domain = ''] = email.split('@');
  return `${local.slice(0, 1)}${'•'.repeat(Math.max(1, local.length - 1))}@${domain}`;
}

interface DeadLink {
  status: number;
  html: string;
}

function deadLinkPage(message: string, status = 410): DeadLink {
  return { status, html: page('Link no longer works', `<h1>This link no longer works</h1><p role="alert">${escapeHtml(message)}.</p>`) };
}

/**
 * The pages behind emailed decision links. GET and HEAD show the task and never change or consume
 * anything (mail scanners prefetch links); only a POST of the page's own form, carrying its
 * anti-forgery token, decides — after a one-time code, where the organisation requires one.
 */
export function decisionPageRoutes(deps: DecisionPageDeps): Router {
  const { db } = deps;
  const links = decisionLinkUseCases(deps);
  const router = Router();
  router.use(express.urlencoded({ extended: false, limit: '100kb', parameterLimit: 100 }));

  async function openTaskFor(token: string): Promise<{ link: LinkRow; task: TaskRow } | DeadLink> {
    const found = await links.openTaskFor(token);
    return 'dead' in found ? deadLinkPage(found.dead, found.status) : found;
  }

  function formFields(link: LinkRow): Record<string, string> {
    const issued = Date.now();
    return { form_token: formToken(deps.appSecret, link.id, issued), form_issued: String(issued) };
  }

  function decisionForms(link: LinkRow, task: TaskRow, token: string, values: Record<string, string> = {}): string {
    const spec = taskStepSpec(task.step);
    if (!spec) throw new AppError('internal', 500, 'unknown step');
    const protection = hiddenInputs(formFields(link));
    return spec.outcomes
      .map((outcome) => {
        const fields = outcome.fields
          .map((field) => `<p>${fieldInput(field, `${outcome.name}-${field.name}`, values[`${outcome.name}.${field.name}`] ?? '')}</p>`)
          .join('');
        return (
                    // Each form its own decision id: sending the same form again is the same decision.
          `<form method="post" action="/decide/${escapeHtml(token)}" class="outcome">${protection}${hiddenInputs({ decision_id: randomUUID() })}` +
          `<input type="hidden" name="outcome" value="${outcome.name}"><fieldset><legend>${escapeHtml(outcome.label)}</legend>` +
          `${fields}<button type="submit">${escapeHtml(outcome.label)}</button></fieldset></form>`
        );
      })
      .join('');
  }

  async function taskPage(link: LinkRow, task: TaskRow, token: string, notice = '', values: Record<string, string> = {}): Promise<string> {
    const spec = taskStepSpec(task.step);
    if (!spec) throw new AppError('internal', 500, 'unknown step');
    const onBehalf = task.onBehalfOf ? ` for ${escapeHtml(task.onBehalfOf)}` : '';
    return page(
      spec.title,
      `<h1>${escapeHtml(spec.title)}</h1>${notice}<p>${escapeHtml(spec.ask)}</p>` +
        (await taskContextHtml(db, task)) +
        `<p>Assigned to <strong>${escapeHtml(task.assignee)}</strong>${onBehalf}, due ${escapeHtml(task.dueAt.toUTCString())}.</p>` +
        decisionForms(link, task, token, values),
    );
  }

  function send(res: express.Response, result: DeadLink) {
    res.status(result.status).type('html').send(result.html);
  }

  /** Shows the task and its decision forms. Never decides or consumes anything. */
  router.get('/:token', async (req, res) => {
    const found = await openTaskFor(req.params.token);
    if ('html' in found) return send(res, found);
    res.set('Cache-Control', 'no-store').type('html').send(await taskPage(found.link, found.task, req.params.token));
  });

  /** Issues a one-time code to the assignee and asks for it, carrying the decision along. */
  async function askForCode(req: Request, found: { link: LinkRow; task: TaskRow }, form: Record<string, string>): Promise<string> {
    await links.sendConfirmationCode(found.link);
    await audit(db, req, { actor: found.link.assignee, action: 'decision.code-sent', target: found.task.id, outcome: 'ok' });
    const carried = Object.fromEntries(Object.entries(form).filter(([name]) => !['form_token', 'form_issued', 'code'].includes(name)));
    return page(
      'Confirm your decision',
      `<h1>Confirm your decision</h1><p role="status">We sent a six-digit code to ${escapeHtml(maskEmail(found.link.assignee))}. Enter it to confirm.</p>` +
        `<form method="post" action="/decide/${escapeHtml(req.params.token as string)}">${hiddenInputs({ ...carried, ...formFields(found.link) })}` +
        `<p><label for="code">Confirmation code</label><input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" required></p>` +
        `<button type="submit">Confirm</button></form>`,
    );
  }

  function receiptPage(step: string, outcome: string, receipt: DecisionReceipt): string {
    const label = taskStepSpec(step)?.outcomes.find((candidate) => candidate.name === outcome)?.label ?? outcome;
    const next = isAdoptionStep(step) ? "The unit's adoption of the process is updated." : `The improvement is now in its ${receipt.status === 'applied' ? receipt.stage : ''} stage.`;
    const message =
      receipt.status === 'applied'
        ? `Your decision "${label}" is recorded. ${next}`
        : `Your decision "${label}" was received. It will be applied as soon as the service catches up; nothing more is needed from you.`;
    return page('Decision recorded', `<h1>Thank you</h1><p role="status">${escapeHtml(message)}</p>`);
  }

  /** A resubmitted form whose decision was already applied: its outcome, not "already decided". */
  async function alreadyRecorded(token: string, decisionId: string | undefined): Promise<string | undefined> {
    const recorded = await links.recordedDecisionOf(token, decisionId);
    if (recorded) await catchUpUnappliedDecision(deps.temporal, recorded.task);
    return recorded ? receiptPage(recorded.task.step, recorded.receipt.outcome, recorded.receipt) : undefined;
  }

  /** Decides the task with the submitted form. */
  router.post('/:token', async (req, res) => {
    const form = (req.body ?? {}) as Record<string, string>;
    const decisionId = typeof form.decision_id === 'string' && decisionIdPattern.test(form.decision_id) ? form.decision_id : undefined;
    const recorded = await alreadyRecorded(req.params.token, decisionId);
    if (recorded) return res.type('html').send(recorded);
    const found = await openTaskFor(req.params.token);
    if ('html' in found) {
      await audit(db, req, { action: 'decision.dead-link', target: 'decision link', outcome: 'refused', details: { status: found.status } });
      return send(res, found);
    }
    if (findUnstorableText(form)) {
      return send(res, { status: 400, html: page('Not accepted', '<h1>Nothing was decided</h1><p role="alert">The form contained a NUL character or invalid Unicode. Go back and correct it.</p>') });
    }
    if (!isValidFormToken(deps.appSecret, found.link.id, form.form_token, form.form_issued, Date.now(), formTtlMs)) {
      await audit(db, req, { actor: found.link.assignee, action: 'decision.forged-or-stale-form', target: found.task.id, outcome: 'refused' });
      return send(res, {
        status: 403,
        html: page('Please decide from the page', '<h1>Nothing was decided</h1><p role="alert">This request did not come from a current decision page. Open the link in your email again and decide from the page.</p>'),
      });
    }
    if (deps.confirmation === 'email-code') {
      const lockedForMs = await deps.attempts.lockedForMs(found.link.assignee);
      if (lockedForMs > 0) {
        await audit(db, req, { actor: found.link.assignee, action: 'decision.code-locked-out', target: found.task.id, outcome: 'refused' });
        return send(res, {
          status: 429,
          html: page('Too many wrong codes', `<h1>Nothing was decided</h1><p role="alert">Too many wrong codes for this address. Try again in ${tryAgainIn(lockedForMs)}.</p>`),
        });
      }
      if (!form.code) return res.type('html').send(await askForCode(req, found, form));
      if (!(await links.confirmationCodeIsValid(found.link, form.code))) {
        await audit(db, req, { actor: found.link.assignee, action: 'decision.wrong-code', target: found.task.id, outcome: 'refused' });
        return send(res, {
          status: 403,
          html: page('Code not accepted', '<h1>Nothing was decided</h1><p role="alert">That code is wrong, used or expired. Open the link in your email again to get a new code.</p>'),
        });
      }
    }
    const { outcome = '', form_token: _token, form_issued: _issued, code: _code, decision_id: _decisionId, ...fields } = form;
    try {
      const receipt = await submitDecision(deps, {
        taskId: found.task.id,
        actor: found.link.assignee,
        outcome,
        fields,
        channel: 'email-link',
        via: 'link',
        decisionId,
        requestId: typeof req.id === 'string' ? req.id : undefined,
      });
      res.status(receipt.status === 'applied' ? 200 : 202).type('html').send(receiptPage(found.task.step, outcome, receipt));
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      await audit(db, req, { actor: found.link.assignee, action: 'task.decide', target: found.task.id, outcome: 'refused', details: { outcome, reason: error.message } });
      const values = Object.fromEntries(Object.entries(fields).map(([name, value]) => [`${outcome}.${name}`, String(value)]));
      const notice = `<div role="alert"><p><strong>Your decision was not recorded:</strong> ${escapeHtml(error.message)}</p></div>`;
      res.status(error.status).type('html').send(await taskPage(found.link, found.task, req.params.token, notice, values));
    }
  });

  return router;
}
