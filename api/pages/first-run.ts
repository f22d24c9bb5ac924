import express, { Router } from 'express';
import { z } from 'zod';
import { AppError } from '../errors';
import { sameOriginForm } from '../form-origin';
import { escapeHtml, page } from '../html';
import { emailAddress, freeText } from '../input-fields';
import { startSession } from '../sessions';
import { awaitsFirstOrpgMember, type FirstRunDeps, registerFirstOrpgMember } from '../use-cases/first-run';

export interface FirstRunPageDeps extends FirstRunDeps {
  publicUrl: () => string;
  sessionLifetimeMs: number;
}

const firstMemberForm = z.object({
  adminToken: z.string().min(1, 'enter the admin token npm start printed (or ADMIN_TOKEN)'),
  name: freeText(1, 200),
  email: emailAddress().transform((value) => value.toLowerCase()),
});

const fieldLabels = { adminToken: 'Admin token', name: 'Your name', email: 'Your work email' } as const;
type Field = keyof typeof fieldLabels;

function setupPage(values: Partial<Record<Field, string>> = {}, errors: Partial<Record<Field, string>> = {}, notice = ''): string {
  const summary = Object.keys(errors).length
    ? `<div role="alert"><h2>There is a problem</h2><ul>${Object.entries(errors)
        .map(([field, message]) => `<li><a href="#${field}">${fieldLabels[field as Field]}: ${escapeHtml(message)}</a></li>`)
        .join('')}</ul></div>`
    : '';
  const input = (field: Field, type: string, autocomplete: string) => {
    const error = errors[field] ? `<br><span id="${field}-error" class="error">${escapeHtml(errors[field])}</span>` : '';
    const described = errors[field] ? ` aria-describedby="${field}-error" aria-invalid="true"` : '';
    const value = field === 'adminToken' ? '' : escapeHtml(values[field] ?? '');
    return `<p><label for="${field}">${fieldLabels[field]}</label>${error}<br><input id="${field}" name="${field}" type="${type}" autocomplete="${autocomplete}" value="${value}" required${described}></p>`;
  };
  return page(
    'Set up OPF Pipeline',
    `<h1>Set up OPF Pipeline</h1>${notice}${summary}
<p>Nobody runs the service yet. Register yourself as the first member of the operational resilience process group (ORPG): you can then register everyone else.</p>
<form method="post" action="/setup">${input('adminToken', 'password', 'off')}${input('name', 'text', 'name')}${input('email', 'email', 'email')}
<button type="submit">Register me and sign in</button></form>`,
  );
}

/** The first-run page: while the service has no ORPG member, the admin token's holder registers one. */
export function firstRunRoutes(deps: FirstRunPageDeps): Router {
  const { db, publicUrl, sessionLifetimeMs } = deps;
  const router = Router();
  router.use('/setup', express.urlencoded({ extended: false, limit: '10kb', parameterLimit: 10 }));

  router.get('/setup', async (_req, res) => {
    if (!(await awaitsFirstOrpgMember(db))) return res.redirect(303, '/sign-in');
    res.type('html').send(setupPage());
  });

  router.post('/setup', sameOriginForm(publicUrl), async (req, res) => {
    const values = (req.body ?? {}) as Record<string, string>;
    const parsed = firstMemberForm.safeParse(values);
    if (!parsed.success) {
      const errors = Object.fromEntries(parsed.error.issues.map((issue) => [String(issue.path[0]), issue.message]));
      return res.status(400).type('html').send(setupPage(values, errors));
    }
    try {
      const email = await registerFirstOrpgMember(deps, req, parsed.data);
      await startSession(db, res, { email, lifetimeMs: sessionLifetimeMs, secure: publicUrl().startsWith('https://') });
      res.redirect(303, '/dashboard');
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      if (error.status === 409) return res.redirect(303, '/sign-in');
      res.status(error.status).type('html').send(setupPage(values, { adminToken: 'that is not the admin token this service started with' }));
    }
  });

  return router;
}
