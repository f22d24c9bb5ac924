import express, { type Request, type Response, Router } from 'express';
import { tryAgainIn } from '../code-attempts';
import { sameOriginForm } from '../form-origin';
import { escapeHtml, page } from '../html';
import { sessionCookie, startSession } from '../sessions';
import { awaitsFirstOrpgMember } from '../use-cases/first-run';
import { type SignInDeps, signInUseCases } from '../use-cases/sign-in';

export interface SignInPageDeps extends SignInDeps {
  /** How long a page session lasts. */
  sessionLifetimeMs: number;
}

/** Only same-site paths may follow sign-in (no open redirect). */
function safeNext(value: unknown): string {
  return typeof value === 'string' && /^\/(?!\/)[\w\-/?=&%.]*$/.test(value) ? value : '/dashboard';
}

function signInPage(next: string, notice = '', firstRun = false): string {
  const nextField = `<input type="hidden" name="next" value="${escapeHtml(next)}">`;
  return page(
    'Sign in',
    `<h1>Sign in to OPF Pipeline</h1>${notice}${firstRun ? '<p><strong>First run?</strong> Nobody can sign in yet: <a href="/setup">set up the first ORPG member with the admin token</a>.</p>' : ''}
<form method="post" action="/sign-in">${nextField}<p><label for="email">Your work email</label><br><input id="email" name="email" type="email" autocomplete="email" required></p>
<button type="submit">Email me a sign-in link and code</button></form>
<h2>Or use an API token</h2>
<form method="post" action="/sign-in/token">${nextField}<p><label for="token">API token</label><br><input id="token" name="token" type="password" autocomplete="off" required></p>
<button type="submit">Sign in with token</button></form>`,
  );
}

function codePage(email: string, next: string, notice = ''): string {
  return page(
    'Enter your code',
    `<h1>Check your email</h1>${notice}<p role="status">If ${escapeHtml(email)} is registered, we sent it a sign-in link and a six-digit code. They work for 15 minutes.</p>
<form method="post" action="/sign-in/code"><input type="hidden" name="email" value="${escapeHtml(email)}"><input type="hidden" name="next" value="${escapeHtml(next)}">
<p><label for="code">Code</label><br><input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" required></p>
<button type="submit">Sign in</button></form>`,
  );
}

/** Sign-in by emailed one-time link or code, or by a person's API token; and sign-out. */
export function signInRoutes(deps: SignInPageDeps): Router {
  const { db, publicUrl, sessionLifetimeMs } = deps;
  const signInWith = signInUseCases(deps);
  const router = Router();
  router.use(express.urlencoded({ extended: false, limit: '10kb', parameterLimit: 20 }));
  const fromHere = sameOriginForm(publicUrl);

  async function signIn(res: Response, email: string, next: string, apiToken?: { id: string; expiresAt: Date }) {
    await startSession(db, res, { email, lifetimeMs: sessionLifetimeMs, secure: publicUrl().startsWith('https://'), apiToken });
    res.redirect(303, next);
  }

  router.get('/sign-in', async (req, res) => {
    res.type('html').send(signInPage(safeNext(req.query.next), '', await awaitsFirstOrpgMember(db)));
  });

  /** Emails a one-time link and code in the background; says the same, at once, whether or not the address is registered. */
  router.post('/sign-in', fromHere, (req: Request, res) => {
    const form = (req.body ?? {}) as Record<string, string>;
    const email = String(form.email ?? '').trim().toLowerCase();
    const next = safeNext(form.next);
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
      res.status(400).type('html').send(signInPage(next, '<p role="alert">email: enter an email address.</p>'));
      return;
    }
    // Answered before anything is looked up or sent, so the time taken says nothing about the address.
    res.type('html').send(codePage(email, next));
    signInWith.emailSignInLink(email).catch((error: unknown) => req.log.error({ err: error }, 'could not email a sign-in link'));
  });

  router.post('/sign-in/code', fromHere, async (req, res) => {
    const form = (req.body ?? {}) as Record<string, string>;
    const email = String(form.email ?? '').toLowerCase();
    const next = safeNext(form.next);
    const checked = await signInWith.checkCode(email, String(form.code ?? ''));
    if (checked.result === 'locked-out') {
      res.status(429).type('html').send(codePage(email, next, `<p role="alert">Too many wrong codes for this address. Try again in ${tryAgainIn(checked.lockedForMs)}.</p>`));
      return;
    }
    if (checked.result === 'wrong') {
      res.status(403).type('html').send(codePage(email, next, '<p role="alert">That code is wrong, used or expired.</p>'));
      return;
    }
    await signIn(res, email, next);
  });

  /** Opening the emailed link changes nothing (mail scanners open links): it asks to continue. */
  router.get('/sign-in/link/:token', (req, res) => {
    res.type('html').send(
      page('Sign in', `<h1>Sign in to OPF Pipeline</h1><form method="post" action="/sign-in/link/${escapeHtml(req.params.token)}"><button type="submit">Continue</button></form>`),
    );
  });

  router.post('/sign-in/link/:token', fromHere, async (req, res) => {
    const email = await signInWith.useLink(String(req.params.token));
    if (!email) {
      res.status(410).type('html').send(signInPage('/dashboard', '<p role="alert">That sign-in link is used or expired. Ask for a new one.</p>'));
      return;
    }
    await signIn(res, email, '/dashboard');
  });

  router.post('/sign-in/token', fromHere, async (req, res) => {
    const form = (req.body ?? {}) as Record<string, string>;
    const next = safeNext(form.next);
    const stored = await signInWith.liveApiToken(String(form.token ?? ''));
    if (!stored) {
      res.status(401).type('html').send(signInPage(next, '<p role="alert">token: that API token is not valid.</p>'));
      return;
    }
    await signIn(res, stored.personEmail, next, stored);
  });

  router.post('/sign-out', fromHere, async (req, res) => {
    const token = (req.cookies as Record<string, string> | undefined)?.[sessionCookie];
    if (token) await signInWith.endSession(token);
    res.clearCookie(sessionCookie, { path: '/' });
    res.redirect(303, '/sign-in');
  });

  return router;
}
