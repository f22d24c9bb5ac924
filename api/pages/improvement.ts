import { Router } from 'express';
import { z } from 'zod';
import type { Database } from '../../prisma/database';
import { findImprovementRecord } from '../../reports/read-model';
import type { ImprovementState } from '../../workflows/improvement/definitions';
import { allow } from '../auth';
import { AppError, parse } from '../errors';
import { escapeHtml } from '../html';
import { requireSignIn } from '../sessions';
import { dataTable, signedInPage, when } from './layout';

/** The stages every improvement passes, in order, for the timeline. */
const timeline = ['review', 'prioritisation', 'planning', 'implementation', 'pilot', 'deployment', 'audit', 'lessons', 'closed'] as const;
const endStates = new Set(['rejected', 'withdrawn', 'abandoned']);
const stageOrder = (stage: string) => (stage === 'revision' ? 0 : stage === 'deferred' ? 1 : timeline.indexOf(stage as (typeof timeline)[number]));

/** The stage timeline as an SVG picture: done, current, to come (or where it ended). */
export function timelineSvg(stage: string, reached: ReadonlySet<string>, pilot: boolean): string {
  const stages = timeline.filter((name) => pilot || name !== 'pilot');
  const ended = endStates.has(stage);
  const current = ended ? Math.max(...[...reached].map(stageOrder).filter((index) => index >= 0), 0) : stageOrder(stage);
  const step = 100;
  const width = stages.length * step + 20;
  const nodes = stages
    .map((name, index) => {
      const order = stageOrder(name);
      const state = order < current || stage === 'closed' ? 'done' : order === current ? (ended ? 'ended' : 'current') : 'todo';
      const fill = { done: '#1b6e2a', current: '#0b5cad', ended: '#b00020', todo: '#ffffff' }[state];
      const x = 20 + index * step + 30;
      const line = index < stages.length - 1 ? `<line x1="${x + 14}" y1="30" x2="${x + step - 14}" y2="30" stroke="#888" stroke-width="2"/>` : '';
      return `<g><title>${name}: ${state}</title>${line}<circle cx="${x}" cy="30" r="12" fill="${fill}" stroke="#333" stroke-width="2"/>
<text x="${x}" y="62" text-anchor="middle" font-size="12" fill="#1a1a1a">${name}</text></g>`;
    })
    .join('');
  const label = ended ? `Ended as ${stage}` : `Now in ${stage}`;
  return `<svg role="img" aria-label="Stage timeline. ${escapeHtml(label)}" viewBox="0 0 ${width} 80" width="100%" style="max-width:${width}px">${nodes}</svg>
<p>${escapeHtml(label)}${ended ? '' : ''}</p>`;
}

/** One improvement: timeline, open tasks, history, emails, and each unit's deployment and audit. */
export function improvementPageRoutes({ db }: { db: Database }): Router {
  const router = Router();

  router.get('/improvements/:id', requireSignIn, allow('improvements:read'), async (req, res) => {
    const { id } = parse(z.strictObject({ id: z.uuid() }), req.params, 'params');
    const improvement = await findImprovementRecord(db, id);
    if (!improvement) throw new AppError('not_found', 404, `id: no improvement ${id}`);
    const details = improvement.details as Partial<ImprovementState>;
    const reached = new Set(improvement.events.map((event) => /->([\w-]+)$/.exec(event.eventKey)?.[1]).filter((stage): stage is string => Boolean(stage)));
    reached.add('review');
    const now = new Date();
    const tasks = improvement.tasks
      .map(
        (task) => `<tr><td>${escapeHtml(task.step)}</td><td>${escapeHtml(task.assignee)}${task.onBehalfOf ? ` <span class="muted">for ${escapeHtml(task.onBehalfOf)}</span>` : ''}</td>
<td>${when(task.dueAt)} ${task.dueAt < now ? '<span class="badge late">Overdue</span>' : ''}</td><td>${task.escalationLevel === 0 ? 'none' : task.escalationLevel === 1 ? 'manager' : 'management'}</td></tr>`,
      )
      .join('');
    const history = improvement.events
      .map(
        (event) => `<tr><td>${when(event.at)}</td><td>${escapeHtml(event.step)}</td><td>${escapeHtml(event.actor)}</td><td>${escapeHtml(event.action)}</td>
<td class="optional">${escapeHtml(event.comment ?? '')}</td><td class="optional">${escapeHtml(event.channel)}</td></tr>`,
      )
      .join('');
    const emails = improvement.notifications
      .map((mail) => `<tr><td>${when(mail.sentAt ?? mail.createdAt)}</td><td>${escapeHtml(mail.recipient)}</td><td>${escapeHtml(mail.subject)}</td><td>${escapeHtml(mail.status)}</td></tr>`)
      .join('');
    const units = (details.units ?? [])
      .map(
        (unit) => `<tr><td>${escapeHtml(unit.unitName)}</td><td>${escapeHtml(unit.manager)}</td><td>${escapeHtml(unit.status)}${unit.tailoring ? ` <span class="muted">(tailored: ${escapeHtml(unit.tailoring)})</span>` : ''}${unit.waiverReason ? ` <span class="muted">(${escapeHtml(unit.waiverReason)})</span>` : ''}</td>
<td>${escapeHtml(unit.audit ?? '—')}${unit.findings ? ` <span class="muted">${escapeHtml(unit.findings)}</span>` : ''}</td></tr>`,
      )
      .join('');
    const table = dataTable;
    res.type('html').send(
      signedInPage(
        req,
        improvement.title,
        `${timelineSvg(improvement.stage, reached, improvement.pilot)}
<dl><dt>Status</dt><dd>${escapeHtml(improvement.status)}</dd><dt>Standard process</dt><dd>${improvement.processId ? `<a href="/processes/${improvement.processId}">${escapeHtml(improvement.process)}</a>` : escapeHtml(improvement.process)}</dd>
<dt>Source</dt><dd>${escapeHtml(improvement.source)}</dd><dt>Priority</dt><dd>${improvement.priority ?? '—'}</dd>
<dt>Proposer</dt><dd>${escapeHtml(improvement.proposerEmail)}</dd><dt>Process owner</dt><dd>${escapeHtml(improvement.processOwnerEmail)}</dd>
<dt>Problem</dt><dd>${escapeHtml(improvement.description)}</dd></dl>
<h2>Open tasks</h2>${table('Who the improvement waits for', ['Step', 'Assignee', 'Due', 'Escalated'], tasks, 'No open tasks.')}
<h2>Organisational units</h2>${table('Deployment and audit by unit', ['Unit', 'Manager', 'Deployment', 'Audit'], units, 'Not deployed yet.')}
<h2>History</h2>${table('Every decision and notification', ['When', 'Step', 'Who', 'What', 'Comment', 'Channel'], history, 'No history yet.')}
<h2>Emails sent</h2>${table('The outbox', ['When', 'To', 'Subject', 'Status'], emails, 'No email yet.')}`,
      ),
    );
  });

  return router;
}
