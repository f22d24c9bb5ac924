import { createHmac, timingSafeEqual } from 'node:crypto';

/** What an emailed decision link grants: deciding one task, as its assignee, until it expires. */
export interface DecisionLinkClaims {
  taskId: string;
  assignee: string;
  expiresAt: Date;
}

function signature(payload: string, secret: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

/** A signed, expiring token bound to the task and its assignee. */
export function signDecisionLink(claims: DecisionLinkClaims, secret: string): string {
  const payload = Buffer.from(
    JSON.stringify({ t: claims.taskId, a: claims.assignee, e: Math.floor(claims.expiresAt.getTime() / 1000) }),
  ).toString('base64url');
  return `${payload}.${signature(payload, secret)}`;
}

export type DecisionLinkCheck =
  | { valid: true; claims: DecisionLinkClaims }
  | { valid: false; reason: 'malformed' | 'tampered' | 'expired'; claims?: DecisionLinkClaims };

/** Verifies a token's signature and expiry. */
export function verifyDecisionLink(token: string, secret: string, now = new Date()): DecisionLinkCheck {
  const [payload, given, extra] = token.split('.');
  if (!payload || !given || extra !== undefined) return { valid: false, reason: 'malformed' };
  const expected = Buffer.from(signature(payload, secret));
  const actual = Buffer.from(given);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return { valid: false, reason: 'tampered' };
  let parsed: { t?: unknown; a?: unknown; e?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof parsed;
  } catch {
    return { valid: false, reason: 'malformed' };
  }
  if (typeof parsed.t !== 'string' || typeof parsed.a !== 'string' || typeof parsed.e !== 'number') {
    return { valid: false, reason: 'malformed' };
  }
  const claims = { taskId: parsed.t, assignee: parsed.a, expiresAt: new Date(parsed.e * 1000) };
  if (claims.expiresAt.getTime() < now.getTime()) return { valid: false, reason: 'expired', claims };
  return { valid: true, claims };
}

/** The page a person opens from their email to decide a task. */
export function decisionLinkUrl(publicUrl: string, token: string): string {
  return `${publicUrl}/decide/${token}`;
}
