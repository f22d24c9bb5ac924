import { Router } from 'express';
import type { MailInbox } from '../../embedded/inbox';
import { AppError } from '../errors';
import { escapeHtml, page } from '../html';

function linkify(text: string): string {
  return escapeHtml(text).replace(/https?:\/\/[^\s<>"']+/g, (url) => `<a href="${url}">${url}</a>`);
}

/** The local inbox, served only when no SMTP_URL is configured: every email the service sent. */
export function inboxRoutes(inbox: MailInbox): Router {
  const router = Router();

  router.get('/', async (_req, res) => {
    const messages = (await inbox.list()).reverse();
    const rows = messages
      .map(
        (message) =>
          `<tr><td>${escapeHtml(message.receivedAt.toISOString())}</td><td>${escapeHtml(message.to.join(', '))}</td>` +
          `<td><a href="/inbox/${message.id}">${escapeHtml(message.subject || '(no subject)')}</a></td></tr>`,
      )
      .join('\n');
    res.type('html').send(
      page(
        'Local inbox',
        `<h1>Local inbox</h1><p>Every email OPF Pipeline sent, newest first. Set <code>SMTP_URL</code> to send real mail instead.</p>` +
          (messages.length === 0
            ? '<p>No email yet.</p>'
            : `<table><thead><tr><th scope="col">Received</th><th scope="col">To</th><th scope="col">Subject</th></tr></thead><tbody>${rows}</tbody></table>`),
      ),
    );
  });

  router.get('/:id', async (req, res) => {
    const message = await inbox.get(req.params.id);
    if (!message) throw new AppError('not_found', 404, `id: no email ${req.params.id}`);
    res.type('html').send(
      page(
        message.subject,
        `<p><a href="/inbox">← Inbox</a></p><h1>${escapeHtml(message.subject)}</h1>` +
          `<dl><dt>From</dt><dd>${escapeHtml(message.from)}</dd><dt>To</dt><dd>${escapeHtml(message.to.join(', '))}</dd>` +
          `<dt>Received</dt><dd>${escapeHtml(message.receivedAt.toISOString())}</dd></dl><pre>${linkify(message.text)}</pre>`,
      ),
    );
  });

  return router;
}
