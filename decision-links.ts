import { hashSecret, keyedHash, newSecret, sameSecret } from './tokens';

/**
 * Emailed decision links. Each is a random token per task and assignee; only its SHA-256 hash is
 * stored, so the database never holds a usable link. Shared by the email activity (which makes
 * them) and the decision pages (which check them).
 */
export function newLinkToken(): { token: string; hash: string } {
  const token = newSecret();
  return { token, hash: hashLinkToken(token) };
}

export function hashLinkToken(token: string): string {
  return hashSecret(token);
}

/** The page a person opens from their email to decide a task. */
export function decisionLinkUrl(publicUrl: string, token: string): string {
  return `${publicUrl}/decide/${token}`;
}

/** Stands for the link in the stored copy of an email; the real link is only in the sent one. */
export const decisionLinkPlaceholder = '[your personal decision link]';

/**
 * The decision page's anti-forgery token: proves a POST came from a form this service rendered
 * for this link, recently.
 */
export function formToken(secret: string, linkId: string, issuedAt: number): string {
  return keyedHash(secret, `decision-form.${linkId}.${issuedAt}`, 'base64url');
}

export function isValidFormToken(
  secret: string,
  linkId: string,
  token: unknown,
  issuedAt: unknown,
  now: number,
  ttlMs: number,
): boolean {
  const issued = Number(issuedAt);
  if (typeof token !== 'string' || !Number.isInteger(issued) || issued > now + 60_000 || now - issued > ttlMs) return false;
  return sameSecret(formToken(secret, linkId, issued), token);
}
