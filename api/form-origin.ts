import type { RequestHandler } from 'express';
import { page } from './html';

/**
 * Refuses a form a browser sent from another site: the forms that sign in (login CSRF: a page
 * elsewhere signing the visitor in as the attacker) and out. Browsers say where a POST comes from
 * in `Sec-Fetch-Site` and `Origin`; either naming another site refuses it. A client sending
 * neither is not a browser on another site (curl, scripts) and is let through.
 */
export function sameOriginForm(publicUrl: () => string): RequestHandler {
  return (req, res, next) => {
    const site = req.get('sec-fetch-site');
    const origin = req.get('origin');
    const ours = new Set([new URL(publicUrl()).origin, `${req.protocol}://${req.get('host') ?? ''}`]);
    // Browsers that send Sec-Fetch-Site are judged by it alone: under our no-referrer policy
    // Chromium sends `Origin: null` even for a form on our own page.
    const fromElsewhere = site !== undefined ? site !== 'same-origin' && site !== 'none' : origin !== undefined && !ours.has(origin);
    if (!fromElsewhere) return next();
    res
      .status(403)
      .type('html')
      .send(page('Not accepted', '<h1>Nothing was done</h1><p role="alert">This form was sent from another site. To sign in, open the sign-in page of OPF Pipeline itself.</p><p><a href="/sign-in">Sign in</a></p>'));
  };
}
