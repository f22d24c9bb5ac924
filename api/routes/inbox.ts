import { type RequestHandler, Router } from 'express';
import type { MailInbox } from '../../embedded/inbox';
import { AppError } from '../errors';
import { escapeHtml, page } from '../html';

function linkify(text: string): string {
  return escapeHtml(text).replace(/https?:\/\/[^\s<>"']+/g, (url) => `<a href="${url}">${url}</a>`);
}

/** True for an IPv4 or IPv6 loopback address (127.0.0.0/8, ::1, and IPv4-mapped 127.x). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const ipv4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return /^127(\.\d{1,3}){3}$/.test(ipv4) || address === '::1';
}

/**
 * The inbox holds sign-in codes and decision links for everyone, so it is for the person at this
 * machine only: the TCP peer must be loopback. Forwarded-for headers are never trusted to grant
 * access, and a request relayed by a proxy (it carries one) is refused, since its client is elsewhere.
 */
const fromThisMachineOnly: RequestHandler = (req, _res, next) => {
  const relayed = req.headers['x-forwarded-for'] !== undefined || req.headers.forwarded !== undefined;
  if (isLoopbackAddress(req.socket.remoteAddress) && !relayed) return next();
  next(new AppError('forbidden', 403, 'the local inbox is served only to a browser on the machine running OPF Pipeline; set SMTP_URL to deliver mail to people elsewhere'));
};

/** The local inbox, served only when no SMTP_URL is configured: every email the service sent. */
export function inboxRoutes(inbox: MailInbox): Router {
  const router = Router();
  router.use(fromThisMachineOnly);

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
